"""Files holding keys or credentials are 0600 from their first byte and never seen half written,
whatever the umask: the keystore, dev-credentials.json and node.toml all go through write_private."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gpid_node.chain.keystore import create_keystore, load_keystore
from gpid_node.domain.errors import ValidationFailed
from gpid_node import files
from gpid_node.files import write_private


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000: a file created without an explicit mode would be readable (and writable) by everyone."""
    before = os.umask(0)
    yield
    os.umask(before)


@pytest.fixture
def creations(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every file the process creates (os.open with O_CREAT, open() for writing) and, when it is renamed or
    linked into place, the mode it has at that moment."""
    seen: list[dict[str, Any]] = []
    real_open, real_replace, real_link, real_builtin_open = os.open, os.replace, os.link, open

    def os_open(path: Any, flags: int, mode: int = 0o777, *args: Any, **kwargs: Any) -> int:
        fd = real_open(path, flags, mode, *args, **kwargs)
        if flags & os.O_CREAT and not Path(path).is_dir():
            seen.append({"path": Path(path), "exclusive": bool(flags & os.O_EXCL), "mode": stat.S_IMODE(os.fstat(fd).st_mode)})
        return fd

    def builtin_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | Path) and any(c in mode for c in "wax"):
            seen.append({"path": Path(file), "exclusive": "x" in mode, "mode": None})  # born with the umask's mode
        return real_builtin_open(file, mode, *args, **kwargs)

    def placed(real: Any) -> Any:
        def place(source: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append({"path": Path(target), "from": Path(source), "mode": stat.S_IMODE(os.stat(source).st_mode)})
            return real(source, target, *args, **kwargs)
        return place

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(os, "replace", placed(real_replace))
    monkeypatch.setattr(os, "link", placed(real_link))
    monkeypatch.setattr("builtins.open", builtin_open)
    monkeypatch.setattr("io.open", builtin_open)  # what pathlib's write_text calls
    return seen


def assert_private_from_the_first_byte(seen: list[dict[str, Any]], target: Path) -> None:
    mine = [c for c in seen if c["path"].parent == target.parent]
    assert mine, "nothing was written"
    for creation in mine:
        assert creation["mode"] == 0o600, f"{creation['path'].name} existed with mode {creation['mode']!r} (not 0600)"
        if "from" not in creation:
            assert creation["exclusive"], f"{creation['path'].name} was opened without O_EXCL (an existing file reused)"
            assert creation["path"] != target, "the file itself was written in place (a reader could see it half written)"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_write_private_creates_0600_under_umask_000(tmp_path: Path, open_umask: None, creations: list[dict[str, Any]]) -> None:
    target = tmp_path / "secret.json"
    write_private(target, '{"key": "value"}\n')
    assert target.read_text() == '{"key": "value"}\n'
    assert_private_from_the_first_byte(creations, target)
    assert [p.name for p in tmp_path.iterdir()] == ["secret.json"], "a temporary file was left behind"


def test_write_private_replaces_a_world_readable_file_with_a_private_one(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "dev-credentials.json"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_write_keeps_the_old_file_whole_and_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "node.toml"
    write_private(target, "old = 1\n")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_private(target, "new = 2\n")
    assert target.read_text() == "old = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["node.toml"]


def test_write_private_without_replace_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "keystore.json"
    write_private(target, "first", replace=False)
    with pytest.raises(FileExistsError):
        write_private(target, "second", replace=False)
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["keystore.json"]


def test_a_keystore_is_private_from_its_first_byte(tmp_path: Path, open_umask: None, creations: list[dict[str, Any]]) -> None:
    path = tmp_path / "keys" / "node.json"
    account = create_keystore(path, "pw", scrypt_n=2**4)
    assert_private_from_the_first_byte(creations, path)
    assert load_keystore(path, "pw").address == account.address
    with pytest.raises(ValidationFailed, match="exists already"):
        create_keystore(path, "pw", scrypt_n=2**4)


def test_dev_credentials_are_private_from_their_first_byte(tmp_path: Path, open_umask: None,
                                                          creations: list[dict[str, Any]]) -> None:  # fmt: skip
    from eth_account import Account

    from gpid_node.services.devmode import DEMO_PARTICIPANTS, credentials
    from gpid_node.store.database import Store, sqlite_url

    (tmp_path / "db").mkdir()
    store = Store(sqlite_url(tmp_path / "db"))
    store.migrate()
    try:
        accounts = {p.name: Account.create() for p in DEMO_PARTICIPANTS}
        chain = {"rpc_url": "http://127.0.0.1:8545", "chain_id": 31337, "registry": "0x" + "12" * 20}
        credentials(store, tmp_path, accounts, "http://127.0.0.1:8080", chain)
    finally:
        store.dispose()
    path = tmp_path / "dev-credentials.json"
    assert_private_from_the_first_byte(creations, path)
    document = json.loads(path.read_text())
    assert len(document["participants"]) == len(DEMO_PARTICIPANTS)
    assert document["chain"] == chain
