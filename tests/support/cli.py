"""The command line as an operator runs it: a data folder on a development chain, and ``gpid-node`` run in it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gpid_node.services.devmode import DEMO_PARTICIPANTS, DEV_PASSWORD, start_dev_chain
from support.processes import GPID_NODE, env_for


@contextmanager
def dev_data_folder(parent: Path) -> Iterator[tuple[Path, str]]:
    """A development chain with the demo participants, its data folder ``parent/node`` (with a ``node.toml``
    naming the chain and the keystore password) and the seller's address; the chain stops afterwards."""
    data_dir = parent / "node"
    env = start_dev_chain(data_dir)
    try:
        (data_dir / "node.toml").write_text(f'rpc_url = "{env.chain.url}"\nkeystore_password = "{DEV_PASSWORD}"\n')
        seller = env.accounts[next(p.name for p in DEMO_PARTICIPANTS if p.role == "seller")].address
        yield data_dir, seller
    finally:
        env.stop()


def cli(data_dir: Path, *args: str, timeout: float = 180, **extra: str | None) -> subprocess.CompletedProcess[str]:
    """``gpid-node *args`` in the data folder's environment (``extra``: more variables, as ``env_for`` takes them)."""
    return subprocess.run([GPID_NODE, *args], env=env_for(data_dir, **extra), capture_output=True, text=True,
                          timeout=timeout, errors="replace")  # fmt: skip
