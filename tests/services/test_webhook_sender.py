"""The webhook sender against a scripted HTTP/1.1 server: answers with and without a length,
chunked, closed after each answer (a kept-alive connection gone stale), refused, and too slow."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from gpid_node.services.webhook_sender import Sender, SendError


class Server:
    """Answers each request with ``answer`` (raw bytes), closing the connection after it when ``close``."""

    def __init__(self) -> None:
        self.answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        self.close = False
        self.delay_s = 0.0
        self.requests: list[bytes] = []
        self.connections = 0
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(5)

    def _run(self, ready: threading.Event) -> None:
        async def main() -> None:
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await server.serve_forever()

        self.loop.run_until_complete(main())

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
                self.requests.append(head + await reader.readexactly(length))
                await asyncio.sleep(self.delay_s)
                writer.write(self.answer)
                await writer.drain()
                if self.close:
                    break
        except (asyncio.IncompleteReadError, OSError):
            pass
        writer.close()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook?a=1"


@pytest.fixture
def server() -> Iterator[Server]:
    yield Server()


def post(sender: Sender, url: str) -> int:
    return sender.run(sender.post(url, b'{"x":1}', {"webhook-id": "1-0", "content-type": "application/json"}))


def test_requests_share_a_kept_alive_connection_and_carry_the_body(server: Server) -> None:
    sender = Sender(timeout_s=5)
    try:
        assert [post(sender, server.url()) for _ in range(3)] == [200, 200, 200]
        assert server.connections == 1
        assert server.requests[0].startswith(b"POST /hook?a=1 HTTP/1.1\r\n") and server.requests[0].endswith(b'\r\n\r\n{"x":1}')
        assert b"webhook-id: 1-0\r\n" in server.requests[0] and b"content-length: 7\r\n" in server.requests[0]
    finally:
        sender.close()


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 500 Oops\r\nConnection: close\r\ncontent-length: 4\r\n\r\noops",
    ],
)
def test_each_framing_of_an_answer_gives_its_status(server: Server, answer: bytes) -> None:
    server.answer = answer
    sender = Sender(timeout_s=5)
    try:
        expected = int(answer.rsplit(b"HTTP/1.1 ", 1)[1][:3])
        assert [post(sender, server.url()) for _ in range(2)] == [expected, expected]
        assert server.connections == (2 if b"close" in answer else 1)
    finally:
        sender.close()


def test_a_connection_the_receiver_closed_is_replaced(server: Server) -> None:
    server.close = True  # it closes each connection after its answer, without saying so
    sender = Sender(timeout_s=5)
    try:
        assert [post(sender, server.url()) for _ in range(3)] == [200, 200, 200]
        assert len(server.requests) == 3 and server.connections == 3
    finally:
        sender.close()


def test_a_refused_connection_and_a_timeout_are_send_errors(server: Server) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    sender = Sender(timeout_s=0.3)
    try:
        with pytest.raises(SendError, match=r"^ConnectError"):
            post(sender, f"http://127.0.0.1:{free}/hook")
        server.delay_s = 1.0
        with pytest.raises(SendError, match=r"^Timeout"):
            post(sender, server.url())
        server.delay_s = 0.0
        assert post(sender, server.url()) == 200  # a new connection: the timed-out one is not reused
    finally:
        sender.close()
