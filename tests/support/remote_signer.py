"""A small remote signer: a loopback JSON-RPC server that holds one key and answers ``eth_accounts``
and ``eth_signTransaction`` as Web3Signer's eth1 mode does (the raw signed transaction, ``0x``-hex).
It never broadcasts. ``--lie nonce`` makes it sign another nonce than asked (a defective or hostile
signer, which the node must refuse).

Run as a process: ``python tests/support/remote_signer.py --port P --key-file F [--lie nonce]``.
It prints ``ready`` once it listens and one line per request (the method), never the key.
"""

from __future__ import annotations

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from eth_account import Account

_INTS = ("gas", "nonce", "value", "chainId", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas")


def transaction_of(request: dict[str, Any]) -> dict[str, Any]:
    """eth-account's transaction dict of an ``eth_signTransaction`` parameter."""
    tx: dict[str, Any] = {name: int(request[name], 16) for name in _INTS if name in request}
    tx["data"] = request.get("data") or request.get("input") or "0x"
    if request.get("to"):
        tx["to"] = request["to"]
    return tx


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        account = self.server.account
        print(request.get("method"), flush=True)
        answer: dict[str, Any] = {"jsonrpc": "2.0", "id": request.get("id")}
        if request.get("method") == "eth_accounts":
            answer["result"] = [account.address]
        elif request.get("method") == "eth_signTransaction":
            params = request["params"][0]
            if params.get("from", "").lower() != account.address.lower():
                answer["error"] = {"code": -32000, "message": f"no key for {params.get('from')}"}
            else:
                tx = transaction_of(params)
                if self.server.lie == "nonce":
                    tx["nonce"] += 1
                answer["result"] = "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()
        else:
            answer["error"] = {"code": -32601, "message": "method not found"}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key-file", type=Path, required=True)
    parser.add_argument("--lie", choices=["nonce"])
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _Handler)
    server.account = Account.from_key(args.key_file.read_text().strip())  # type: ignore[attr-defined]
    server.lie = args.lie  # type: ignore[attr-defined]
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
