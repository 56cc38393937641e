"""The REST facade (v1): a FastAPI app over the node's services.

``create_app(node, settings)`` builds everything (nothing happens at import time). Routes only
parse, call :class:`gpid_node.services.node.Node` and answer; refusals are the node's own exceptions,
turned into RFC 9457 problem details in one table (:mod:`gpid_node.api.problems`).
"""

from __future__ import annotations

from gpid_node.api.app import create_app

__all__ = ["create_app"]
