"""The OpenAPI document of the node, without a node: ``python -m gpid_node.api.document [path]``.

The document depends on the routes only (``create_app`` reads nothing of the node's state while it
builds them), so it is built over a stand-in that has just what ``create_app`` touches, and with
the default settings. ``schemas/openapi.json`` is this text, committed; ``scripts/generate-client``
rewrites it and the Python client, and ``tests/api/test_openapi.py`` fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from gpid_node.api import openapi
from gpid_node.api.app import create_app
from gpid_node.services.node import Node
from gpid_node.settings import Settings


def _no_backlog() -> int:
    return 0


def document() -> dict[str, Any]:
    """The document any node publishes at /openapi.json."""
    stand_in = SimpleNamespace(outbox=SimpleNamespace(depth=_no_backlog), store=None, indexer=None)
    return create_app(cast(Node, stand_in), Settings.model_construct()).openapi()


def write(path: Path = openapi.DOCUMENT_PATH) -> Path:
    path.write_text(openapi.render(document()), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    print(write(Path(args[0]) if args else openapi.DOCUMENT_PATH))


if __name__ == "__main__":
    main()
