"""``python -m benchmarks.devnode FORMAT [gpid-node dev options]``: ``gpid-node dev`` whose new
registrations use payload format FORMAT (1 plain, 2 encrypted, the default of the node).

For ``scripts/bench api`` only, to measure the plaintext path beside the encrypted one in one
sitting: the payload format is not a user setting (issue 19), so this wrapper gives it to
``open_node`` when ``gpid-node dev`` opens its node (the REST facade runs in that process; the
engine process only sends and indexes). Nothing runs at import: the engine process, spawned,
imports this module again.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    payload_format = int(sys.argv[1])
    from gpid_node.services import node as node_module

    open_node = node_module.open_node

    def opened(*args: Any, **kwargs: Any) -> Any:
        return open_node(*args, **{**kwargs, "payload_format": payload_format})

    node_module.open_node = opened  # type: ignore[assignment]
    from gpid_node.cli import main as cli

    sys.argv = ["gpid-node", "dev", *sys.argv[2:]]
    cli()


if __name__ == "__main__":
    main()
