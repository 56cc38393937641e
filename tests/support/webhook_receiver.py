"""A webhook receiver for tests and the events benchmark, run as a process of its own:

    python -m support.webhook_receiver PORT DIR

It answers POSTs on 127.0.0.1:PORT, verifies each with ``standardwebhooks`` against the secret in
``DIR/secrets.json`` (``{"/path": "whsec_..."}``, read again when it changed) and appends one JSON line
per request to ``DIR/received.jsonl``: ``{"path", "webhook_id", "verified", "type", "event", "gpid",
"at"}``, on arrival. ``DIR/behaviour.json`` (``{"status": 200, "delay_s": 0}``, read again when it
changed) makes it answer another status or take its time.

It is one asyncio loop (HTTP/1.1 with keep-alive, many connections at once), so that the events
benchmark measures the node's delivery, not the receiver: a thread per connection with
``http.server`` was slower than the node's sender.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

_read: dict[Path, tuple[int, Any]] = {}
_verifiers: dict[str, Webhook] = {}


def _json(path: Path, default: Any) -> Any:
    """The file's JSON, read again only when it changed."""
    try:
        changed = path.stat().st_mtime_ns
        known = _read.get(path)
        if known is None or known[0] != changed:
            _read[path] = known = (changed, json.loads(path.read_text()))
        return known[1]
    except (OSError, ValueError):
        _read.pop(path, None)
        return default


def _record(folder: Path, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    secret = _json(folder / "secrets.json", {}).get(path)
    verified, message = False, {}
    if secret:
        verifier = _verifiers.get(secret) or _verifiers.setdefault(secret, Webhook(secret))
        try:
            message = verifier.verify(body, headers)
            verified = True
        except WebhookVerificationError:
            try:
                message = json.loads(body or b"{}")
            except ValueError:
                message = {}
    data = message.get("data") or {}
    return {"path": path, "webhook_id": headers.get("webhook-id"), "verified": verified, "type": message.get("type"),
            "event": data.get("id"), "gpid": data.get("gpid"), "at": time.time()}  # fmt: skip


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, folder: Path, out: Any) -> None:
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            method, target, _ = line.decode("latin-1").split(" ", 2)
            headers: dict[str, str] = {}
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            behaviour = _json(folder / "behaviour.json", {})
            if method == "POST":
                out.write(json.dumps(_record(folder, target, headers, body)) + "\n")  # on arrival
            delay = float(behaviour.get("delay_s", 0))
            if delay:
                await asyncio.sleep(delay)
            status = int(behaviour.get("status", 200)) if method == "POST" else 405
            writer.write(f"HTTP/1.1 {status} -\r\ncontent-length: 0\r\n\r\n".encode())
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                return
    except (OSError, ValueError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def _main(port: int, folder: Path) -> None:
    out = (folder / "received.jsonl").open("a", buffering=1)
    server = await asyncio.start_server(lambda r, w: _serve_connection(r, w, folder, out), "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def serve(port: int, folder: Path) -> None:
    asyncio.run(_main(port, folder))


if __name__ == "__main__":
    serve(int(sys.argv[1]), Path(sys.argv[2]))
