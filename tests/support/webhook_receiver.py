"""A webhook receiver for tests and the events benchmark, run as a process of its own:

    python -m support.webhook_receiver PORT DIR

It answers POSTs on 127.0.0.1:PORT, verifies each with ``standardwebhooks`` against the secret in
``DIR/secrets.json`` (``{"/path": "whsec_..."}``, read on every request) and appends one JSON line per
request to ``DIR/received.jsonl``: ``{"path", "webhook_id", "verified", "type", "event", "gpid",
"at"}``, on arrival. ``DIR/behaviour.json`` (``{"status": 200, "delay_s": 0}``, read on every request) makes it
answer another status or take its time.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

_read: dict[Path, tuple[int, Any]] = {}


def _json(path: Path, default: Any) -> Any:
    """The file's JSON, read again only when it changed."""
    try:
        changed = path.stat().st_mtime_ns
        known = _read.get(path)
        if known is None or known[0] != changed:
            _read[path] = known = (changed, json.loads(path.read_text()))
        return known[1]
    except (OSError, ValueError):
        return default


def serve(port: int, folder: Path) -> None:
    writing = threading.Lock()
    out = (folder / "received.jsonl").open("a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            behaviour = _json(folder / "behaviour.json", {})
            secret = _json(folder / "secrets.json", {}).get(self.path)
            verified, message = False, {}
            if secret:
                try:
                    message = Webhook(secret).verify(body, dict(self.headers.items()))
                    verified = True
                except WebhookVerificationError:
                    message = json.loads(body or b"{}")
            record = {"path": self.path, "webhook_id": self.headers.get("webhook-id"), "verified": verified,
                      "type": message.get("type"), "event": (message.get("data") or {}).get("id"),
                      "gpid": (message.get("data") or {}).get("gpid"), "at": time.time()}  # fmt: skip
            with writing:  # on arrival: a receiver that is stopped while it takes its time has seen it
                out.write(json.dumps(record) + "\n")
            delay = float(behaviour.get("delay_s", 0))
            if delay:
                time.sleep(delay)
            status = int(behaviour.get("status", 200))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), Path(sys.argv[2]))
