"""The command line as an operator runs it: a data folder on a development chain, and ``gpid-node`` run in it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gpid_node.domain.samples import sample_key_data_set
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


def register_sample(data_dir: Path, seller: str, folder: Path, invoice_number: str, lines: int) -> str:
    """Registers a sample key data set with ``gpid-node register`` as the seller; answers its GPID."""
    source = folder / "invoice.json"
    source.write_text(json.dumps(sample_key_data_set(invoice_number, lines=lines)))
    registered = cli(data_dir, "register", str(source), "--data-dir", str(data_dir), "--as", seller)
    assert registered.returncode == 0, registered.stderr
    return str(json.loads(registered.stdout)["gpid"])
