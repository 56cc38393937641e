"""``python -m benchmarks.devnode FORMAT [gpid-node dev options]``: ``gpid-node dev`` whose new
registrations use payload format FORMAT (1 plain, 2 encrypted, the default of the node).

For ``scripts/bench api`` only, to measure the plaintext path beside the encrypted one in one
sitting: the payload format is not a user setting (issue 19), so this wrapper sets it on the node
that ``gpid-node dev`` opens (the REST facade runs in that process; the engine process only sends
and indexes). Nothing runs at import: the engine process, spawned, imports this module again.
"""

from __future__ import annotations

import sys
from typing import Any


def use_payload_format(node: Any, payload_format: int) -> Any:
    """Makes ``node`` register with ``payload_format`` (a Node built with ``payload_format=``)."""
    if getattr(node.registration, "payload_format", 1) != payload_format:  # 1 before issue 19
        from gpid_node.services.registration import Registration

        node.registration = Registration(node.context, node.submissions, payload_format=payload_format)
    return node


def main() -> None:
    payload_format = int(sys.argv[1])
    from gpid_node.services import node as node_module

    open_node = node_module.open_node

    def opened(*args: Any, **kwargs: Any) -> Any:
        return use_payload_format(open_node(*args, **kwargs), payload_format)

    node_module.open_node = opened  # type: ignore[assignment]
    from gpid_node.cli import main as cli

    sys.argv = ["gpid-node", "dev", *sys.argv[2:]]
    cli()


if __name__ == "__main__":
    main()
