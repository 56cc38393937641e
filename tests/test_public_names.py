"""The package's public face: ``__all__`` lists exactly its public names, each resolves, and
importing the package stays cheap (the domain only: no web3, no database, no web framework)."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import gpid_node
from gpid_node.domain import errors


def test_all_equals_the_public_names() -> None:
    public = {
        name for name, value in vars(gpid_node).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    } | {"__version__"}  # fmt: skip
    assert sorted(gpid_node.__all__) == sorted(public)
    assert len(set(gpid_node.__all__)) == len(gpid_node.__all__)


def test_each_public_name_resolves() -> None:
    for name in gpid_node.__all__:
        assert getattr(gpid_node, name) is not None, name


def test_every_client_facing_error_is_public() -> None:
    tree = {value for value in vars(errors).values() if isinstance(value, type) and issubclass(value, errors.GPIDError)}
    assert tree <= {getattr(gpid_node, name) for name in gpid_node.__all__}


def test_the_public_names_parse_and_encode() -> None:
    from support.builders import key_data_set

    model = gpid_node.parse_key_data_set(key_data_set())
    assert isinstance(model, gpid_node.KeyDataSet)
    gpid = gpid_node.GPID.parse(str(gpid_node.GPID.from_hex("0x" + "ab" * 16)))
    assert gpid.hex == "0x" + "ab" * 16
    try:
        gpid_node.GPID.parse("GP-not-a-gpid")
    except gpid_node.InvalidGPID as exc:
        assert isinstance(exc, gpid_node.ValidationFailed)
    else:
        raise AssertionError("a malformed GPID was accepted")


def test_importing_the_package_imports_no_adapter() -> None:
    code = (
        "import sys, gpid_node\n"
        "heavy = sorted(m for m in ('web3', 'sqlalchemy', 'fastapi', 'starlette', 'gpid_node.chain', 'gpid_node.store',"
        " 'gpid_node.services', 'gpid_node.api') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
