"""Compiling the Solidity contracts into the committed build artifacts.

The node never compiles at run time: it loads ``gpid_node/chain/build.json`` (package data). This module makes
that file from ``contracts/src`` (and the test harness in ``contracts/test``) with py-solc-x when a
native ``solc`` of the pinned version is installed, and otherwise with the official WebAssembly
build from the pinned npm package ``solc`` (``solcjs --standard-json``). Both read the same
standard-JSON input, with every imported file given inline, so the output does not depend on the
compiler's file system access.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpid_node.chain.artifacts import ARTIFACT_FILE, REPO_ROOT

SOLC_VERSION = "0.8.29"
# The oldest EVM the contracts compile for without losing a rule: Paris (the Merge, London's
# EIP-1559 fees; no PUSH0, MCOPY, transient storage or blob opcodes). Besu and GoQuorum consortium
# networks often run London/Paris-era rules, and a chain refuses code with an opcode it lacks.
EVM_VERSION = "paris"
SOURCE_ROOTS = ("contracts/src", "contracts/test")
NPM_PREFIXES = {"@openzeppelin/contracts/": "node_modules/@openzeppelin/contracts/"}
CONTRACTS = ("CallRelay", "GPIDRegistry", "GPIDRegistryHarness")
SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 10_000},
    "evmVersion": EVM_VERSION,
    "viaIR": True,
    "metadata": {"bytecodeHash": "none"},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}

# Opcodes by the hardfork that introduced them (after Paris): code for an older target must hold none.
LATER_OPCODES: dict[int, tuple[str, str]] = {
    0x5F: ("PUSH0", "shanghai"),
    0x5C: ("TLOAD", "cancun"),
    0x5D: ("TSTORE", "cancun"),
    0x5E: ("MCOPY", "cancun"),
    0x49: ("BLOBHASH", "cancun"),
    0x4A: ("BLOBBASEFEE", "cancun"),
}
HARDFORKS = ("paris", "shanghai", "cancun", "prague")  # targets offered here, oldest first

_IMPORT = re.compile(r'^\s*import\s+(?:[^"\']*from\s+)?["\']([^"\']+)["\']\s*;', re.MULTILINE)


class CompileError(RuntimeError):
    """The compiler refused the sources or could not be run."""


@dataclass(frozen=True)
class Compiler:
    name: str  # "solc" (native, via py-solc-x) or "solcjs" (npm, WebAssembly)
    version: str


def _resolve(import_path: str, importer: str) -> str:
    if import_path.startswith("."):
        return str(Path(importer).parent.joinpath(import_path)).replace("\\", "/")
    return import_path


def _file_for(unit: str) -> Path:
    for prefix, folder in NPM_PREFIXES.items():
        if unit.startswith(prefix):
            return REPO_ROOT / folder / unit[len(prefix) :]
    return REPO_ROOT / unit


def _normalise_unit(unit: str) -> str:
    parts: list[str] = []
    for part in unit.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def settings_for(evm_version: str = EVM_VERSION) -> dict[str, Any]:
    """The compiler settings with another EVM target (for comparisons; the artifacts use SETTINGS)."""
    if evm_version not in HARDFORKS:
        raise CompileError(f"unknown EVM version {evm_version!r}: use one of {', '.join(HARDFORKS)}")
    return {**SETTINGS, "evmVersion": evm_version}


def strip_metadata(code: bytes) -> bytes:
    """The code without solc's CBOR metadata tail (its last two bytes give the CBOR's length)."""
    if len(code) >= 2:
        size = int.from_bytes(code[-2:], "big")
        if 0 < size <= len(code) - 2 and code[-size - 2] & 0xE0 == 0xA0:  # a CBOR map opens the tail
            return code[: -size - 2]
    return code


def opcodes(code: bytes) -> list[int]:
    """The opcodes of EVM code in order, PUSH1..PUSH32 data skipped (the disassembler's walk)."""
    found: list[int] = []
    pc = 0
    while pc < len(code):
        op = code[pc]
        found.append(op)
        pc += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
    return found


def executable_code(artifact: dict[str, Any]) -> dict[str, bytes]:
    """A contract's two pieces of code: the constructor's (the creation bytecode up to the runtime
    code it returns; after that come the runtime and data, not code) and the runtime code without
    its metadata tail."""
    creation = bytes.fromhex(artifact["bytecode"].removeprefix("0x"))
    runtime = bytes.fromhex(artifact["deployedBytecode"].removeprefix("0x"))
    at = creation.find(runtime) if runtime else -1
    return {"constructor": creation[:at] if at >= 0 else strip_metadata(creation), "runtime": strip_metadata(runtime)}


def opcodes_missing_on(code: bytes, evm_version: str) -> list[str]:
    """The opcodes of this code that a chain on ``evm_version`` does not have."""
    order = {fork: i for i, fork in enumerate(HARDFORKS)}
    later = (LATER_OPCODES[op] for op in set(opcodes(code)) if op in LATER_OPCODES)
    return sorted(name for name, since in later if order[since] > order[evm_version])


def collect_sources() -> dict[str, str]:
    """Every source unit the contracts need, keyed by unit name, with its content."""
    pending = sorted(
        str(p.relative_to(REPO_ROOT)) for root in SOURCE_ROOTS for p in (REPO_ROOT / root).rglob("*.sol")
    )
    sources: dict[str, str] = {}
    while pending:
        unit = _normalise_unit(pending.pop())
        if unit in sources:
            continue
        path = _file_for(unit)
        if not path.is_file():
            raise CompileError(f"cannot find {unit} (looked at {path}); run `npm ci` first")
        text = path.read_text(encoding="utf-8")
        sources[unit] = text
        pending.extend(_normalise_unit(_resolve(i, unit)) for i in _IMPORT.findall(text))
    return dict(sorted(sources.items()))


def source_hashes(sources: dict[str, str] | None = None) -> dict[str, str]:
    """SHA-256 of each source unit, as recorded in the artifact."""
    sources = collect_sources() if sources is None else sources
    return {unit: hashlib.sha256(text.encode("utf-8")).hexdigest() for unit, text in sources.items()}


def standard_input(sources: dict[str, str], settings: dict[str, Any] = SETTINGS) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {unit: {"content": text} for unit, text in sources.items()},
        "settings": settings,
    }


def find_compiler() -> Compiler:
    """The native solc of the pinned version if py-solc-x finds one, else the npm solcjs."""
    try:
        import solcx

        for installed in solcx.get_installed_solc_versions():
            if str(installed) == SOLC_VERSION:
                return Compiler("solc", SOLC_VERSION)
    except Exception:
        pass
    if (REPO_ROOT / "node_modules/.bin/solcjs").exists():
        return Compiler("solcjs", SOLC_VERSION)
    raise CompileError("no Solidity compiler: run `npm ci` to install the pinned npm package `solc`")


def _run_solcjs(payload: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise CompileError("Node.js is needed to run solcjs; install it and try again")
    # solcjs exits before a pipe is drained, truncating large output: write to a file instead. Its
    # input goes through a file too: solcjs reads stdin with one readFileSync, which fails with
    # EAGAIN on a pipe once the input outgrows the pipe's buffer (64 KiB).
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as inp:
        inp.write(json.dumps(payload))
        inp.seek(0)
        proc = subprocess.run(
            [node, str(REPO_ROOT / "node_modules/solc/solc.js"), "--standard-json"],
            stdin=inp,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        out.seek(0)
        text = out.read()
    # solcjs prints a ">>> Cannot retry compilation with SMT ..." line before the JSON.
    start = next((m.start() for m in re.finditer(r"^\{", text, re.MULTILINE)), -1)
    if start < 0:
        raise CompileError(f"solcjs gave no JSON (exit {proc.returncode}): {proc.stderr.strip()}")
    return json.loads(text[start:])


def _run_native(payload: dict[str, Any]) -> dict[str, Any]:
    import solcx

    return solcx.compile_standard(payload, solc_version=SOLC_VERSION, allow_paths=str(REPO_ROOT))


def compile_contracts(compiler: Compiler | None = None, evm_version: str = EVM_VERSION) -> dict[str, Any]:
    """Compiles the sources for ``evm_version`` and returns the artifact document (not yet written).
    Refuses code holding an opcode that EVM version lacks."""
    compiler = compiler or find_compiler()
    sources = collect_sources()
    settings = settings_for(evm_version)
    payload = standard_input(sources, settings)
    output = _run_native(payload) if compiler.name == "solc" else _run_solcjs(payload)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompileError("\n".join(e.get("formattedMessage", e.get("message", "")) for e in errors))
    contracts: dict[str, Any] = {}
    for unit_output in output["contracts"].values():
        for name, data in unit_output.items():
            if name in CONTRACTS:
                contracts[name] = {
                    "abi": data["abi"],
                    "bytecode": "0x" + data["evm"]["bytecode"]["object"],
                    "deployedBytecode": "0x" + data["evm"]["deployedBytecode"]["object"],
                }
    missing = set(CONTRACTS) - contracts.keys()
    if missing:
        raise CompileError(f"compiler output lacks {sorted(missing)}")
    for name, data in contracts.items():
        for part, code in executable_code(data).items():
            lacking = opcodes_missing_on(code, evm_version)
            if lacking:
                raise CompileError(f"{name}'s {part} code holds {lacking}, which {evm_version} lacks")
    return {
        "compiler": {"name": "solc", "version": SOLC_VERSION, "built_with": compiler.name},
        "evmVersion": evm_version,
        "settings": settings,
        "sources": source_hashes(sources),
        "contracts": dict(sorted(contracts.items())),
    }


def storage_layout(name: str = "GPIDRegistry", compiler: Compiler | None = None) -> dict[str, Any]:
    """solc's ``storageLayout`` of one contract (``storage`` and ``types``), compiled for that output
    alone (no code generation: seconds). The proof bundle's slot derivation is tested against it."""
    compiler = compiler or find_compiler()
    payload = standard_input(collect_sources())
    payload["settings"] = {"outputSelection": {"*": {name: ["storageLayout"]}}}
    output = _run_native(payload) if compiler.name == "solc" else _run_solcjs(payload)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompileError("\n".join(e.get("formattedMessage", e.get("message", "")) for e in errors))
    for unit_output in output["contracts"].values():
        if name in unit_output:
            return dict(unit_output[name]["storageLayout"])
    raise CompileError(f"compiler output lacks the storage layout of {name}")


def write_artifacts(document: dict[str, Any], path: Path = ARTIFACT_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Compiles contracts/ into the build artifacts.")
    parser.add_argument("--evm-version", default=EVM_VERSION, choices=HARDFORKS, help=f"EVM target (default {EVM_VERSION})")
    parser.add_argument("--out", type=Path, default=ARTIFACT_FILE, help="where to write (default: the committed artifacts)")
    args = parser.parse_args()
    compiler = find_compiler()
    document = compile_contracts(compiler, args.evm_version)
    path = write_artifacts(document, args.out)
    sizes = {n: (len(c["deployedBytecode"]) - 2) // 2 for n, c in document["contracts"].items()}
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    print(f"compiled with {compiler.name} {compiler.version} for {args.evm_version}: {sizes} bytes -> {shown}")


if __name__ == "__main__":
    main()
