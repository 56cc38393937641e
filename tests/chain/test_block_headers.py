"""Block headers of every fork anvil runs, hashed again from their JSON-RPC fields: the proof bundle's
header encoding (domain/block_header.py) against real anvil headers, Berlin (the yellow paper's 15
fields), London (baseFeePerGas), Shanghai (withdrawalsRoot), Cancun (blob gas,
parentBeaconBlockRoot) and Prague (requestsHash), each with a block that holds a transaction. Anvil
writes Cancun's blob gas fields into some of its older forks' headers too (its genesis blocks), and
hashes them: the encoding takes the fields present, in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gpid_node.chain.devchain import DevChain
from gpid_node.domain.block_header import FIELD_NAMES, HEADER_FIELDS, fork_of, hashed_fields, header_hash

FORKS = [("berlin", "baseFeePerGas"), ("london", "withdrawalsRoot"), ("shanghai", "blobGasUsed"),
         ("cancun", "requestsHash"), ("prague", None)]  # each with the first field its fork lacks  # fmt: skip


def rpc(url: str, method: str, *params: Any) -> Any:
    answer = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=10).json()
    assert "error" not in answer, answer
    return answer["result"]


@pytest.fixture(params=FORKS, ids=[f[0] for f in FORKS])
def fork_chain(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[DevChain, str | None]]:
    hardfork, lacking = request.param
    chain = DevChain(extra_args=("--hardfork", hardfork), log_file=tmp_path / "anvil.log")
    chain.start()
    try:
        yield chain, lacking
    finally:
        chain.stop()


def test_each_forks_header_hashes_again_from_its_fields(fork_chain: tuple[DevChain, str | None]) -> None:
    chain, lacking = fork_chain
    sender, receiver = rpc(chain.url, "eth_accounts")[:2]
    tx = rpc(chain.url, "eth_sendTransaction", {"from": sender, "to": receiver, "value": "0x1", "gas": "0x5208", "gasPrice": "0x77359400"})
    receipt = rpc(chain.url, "eth_getTransactionReceipt", tx)
    block = rpc(chain.url, "eth_getBlockByNumber", receipt["blockNumber"], False)
    header = hashed_fields(block)
    assert list(header) == [name for name in FIELD_NAMES if name in block], "every field the hash covers, in order"
    assert list(header)[:15] == list(FIELD_NAMES[:15])
    assert lacking is None or lacking not in header
    latest = [spec for spec in HEADER_FIELDS if spec.name in header][-1]
    assert fork_of(header) == (latest.since if latest.since != "yellow paper" else "before London")
    assert int(header["gasUsed"], 16) == 21_000, "a block with a transaction"
    assert "0x" + header_hash(header).hex() == block["hash"]
    genesis = rpc(chain.url, "eth_getBlockByNumber", "0x0", False)
    assert "0x" + header_hash(hashed_fields(genesis)).hex() == genesis["hash"]
