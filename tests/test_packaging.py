"""What the package declares is what it uses: every third-party import of gpid_node/ is a runtime
dependency in pyproject.toml, the lock files pin exactly what pyproject.toml pins (with hashes), and
the data files the node reads live inside the package."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from support.processes import ROOT

from gpid_node.chain import artifacts, build

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")
_LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)\s*\\?$")
STALE_LOCK = "run ./scripts/lock and commit requirements/ (pyproject.toml and the lock files disagree)"


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    """``{name: version}`` of requirements written ``name[extra]==version``; every one must be pinned."""
    found = {}
    for line in requirements:
        match = _REQUIREMENT.match(line)
        assert match, f"pyproject.toml: {line!r} is not pinned with =="
        found[normalise(match[1])] = match[2]
    return found


def locked(name: str) -> dict[str, list[str]]:
    """``{distribution: [pin line and its --hash lines]}`` of requirements/<name>.txt."""
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in (ROOT / "requirements" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        match = _LOCKED.match(line)
        if match:
            current = entries.setdefault(normalise(match[1]), [f"{match[1]}=={match[2]}"])
        elif current is not None and line.strip().startswith("--hash=sha256:"):
            current.append(line.strip())
    return entries


def version_of(entry: list[str]) -> str:
    return entry[0].split("==", 1)[1]


def third_party_imports(package: Path) -> dict[str, set[str]]:
    """Top-level modules imported anywhere under ``package`` that are neither stdlib nor gpid_node: {module: files}."""
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "gpid_node" and top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_a_declared_runtime_dependency() -> None:
    declared = set(pins(PYPROJECT["project"]["dependencies"]))
    distributions = metadata.packages_distributions()
    imports = third_party_imports(ROOT / "gpid_node")
    assert {"fastapi", "web3", "sqlalchemy"} <= set(imports)  # the scan sees imports at all
    undeclared = {}
    for module, files in sorted(imports.items()):
        providers = {normalise(d) for d in distributions.get(module, [])}
        assert providers, f"{module} (imported by {sorted(files)}) is installed by no distribution"
        if not providers & declared:
            undeclared[module] = (sorted(providers), sorted(files))
    assert not undeclared, f"imported but not in [project] dependencies of pyproject.toml: {undeclared}"


def test_every_package_the_tests_and_benchmarks_import_is_declared() -> None:
    declared = set(pins(PYPROJECT["project"]["dependencies"])) | set(pins(PYPROJECT["project"]["optional-dependencies"]["test"]))
    distributions = metadata.packages_distributions()
    undeclared = {}
    for folder in ("tests", "benchmarks"):
        for module, files in sorted(third_party_imports(ROOT / folder).items()):
            if (ROOT / "tests" / module).exists() or (ROOT / "tests" / f"{module}.py").exists() or (ROOT / module).is_dir() \
                    or (ROOT / "clients" / "python" / module).is_dir():
                continue  # the suite's own packages (support, api, e2e, ...), benchmarks/ and the generated client
            if not {normalise(d) for d in distributions.get(module, [])} & declared:
                undeclared[module] = sorted(files)[:3]
    assert not undeclared, f"imported by tests or benchmarks but in neither [project] dependencies nor the test extra: {undeclared}"


def test_test_tools_are_not_runtime_dependencies() -> None:
    runtime = pins(PYPROJECT["project"]["dependencies"])
    test = pins(PYPROJECT["project"]["optional-dependencies"]["test"])
    assert {"pytest", "hypothesis", "ruff", "mypy"} <= set(test)
    assert not set(runtime) & set(test), "a package is both a runtime and a test dependency"


def test_runtime_lock_pins_what_pyproject_pins_with_hashes() -> None:
    runtime = locked("runtime")
    for name, version in pins(PYPROJECT["project"]["dependencies"]).items():
        assert name in runtime, f"{name} is not in requirements/runtime.txt: {STALE_LOCK}"
        assert version_of(runtime[name]) == version, f"{name}: pyproject.toml pins {version}, the lock {runtime[name][0]}: {STALE_LOCK}"
    for entry in runtime.values():
        assert len(entry) > 1, f"{entry[0]} has no --hash in requirements/runtime.txt"


def test_dev_lock_adds_the_test_extra_and_pins_runtime_alike() -> None:
    runtime, dev = locked("runtime"), locked("dev")
    for name, version in pins(PYPROJECT["project"]["optional-dependencies"]["test"]).items():
        assert name in dev and version_of(dev[name]) == version, f"{name}=={version} not in requirements/dev.txt: {STALE_LOCK}"
    for name, entry in runtime.items():
        assert name in dev and version_of(dev[name]) == version_of(entry), f"{entry[0]}: dev.txt differs: {STALE_LOCK}"
    for entry in dev.values():
        assert len(entry) > 1, f"{entry[0]} has no --hash in requirements/dev.txt"


def test_the_contract_build_is_package_data_and_compile_writes_it_there() -> None:
    package = Path(artifacts.__file__).resolve().parents[1]
    assert artifacts.PACKAGED_FILE.is_relative_to(package) and artifacts.PACKAGED_FILE.is_file()
    assert build.write_artifacts.__defaults__ == (artifacts.PACKAGED_FILE,)
    assert not (ROOT / "contracts" / "artifacts" / "build.json").exists(), "one committed build: gpid_node/chain/build.json"
    assert set(artifacts.build_facts()) == {"solc", "evm_version"} and artifacts.build_facts()["solc"] == build.SOLC_VERSION


def test_data_files_are_read_from_inside_the_package() -> None:
    """Modules that read files at run time name them relative to their own module, not the repository."""
    for path in (ROOT / "gpid_node").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name in ("build.py", "schemas.py", "artifacts.py", "devchain.py", "metrics.py", "openapi.py"):
            # the compiler and the schema writer work on the checkout; dev mode and the build's commit
            # look there first and do without it when installed (test_packaging_wheel.py runs them so);
            # the OpenAPI document takes its request examples from the checkout's schemas/examples and
            # is served without them by an installed node (the committed schemas/openapi.json has them)
            continue
        assert "REPO_ROOT" not in text, f"{path.relative_to(ROOT)} reads from the repository: installed nodes have none"
        outside = re.search(r"parents\[[1-9]\]|\.parent\.parent", text)
        assert not outside, (f"{path.relative_to(ROOT)} names a file outside gpid_node/ ({outside[0] if outside else ''}): "
                             "an installed wheel has only its package; move the file into gpid_node/ as package data")  # fmt: skip


def dockerfile_stages() -> list[tuple[str, str]]:
    """(name, text) of each stage of the Dockerfile, in order; the final stage's name is ""."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = []
    for chunk in re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]:
        first = chunk.splitlines()[0].split()
        stages.append((first[2] if len(first) > 2 and first[1].upper() == "AS" else "", chunk))
    return stages


def test_the_image_is_built_in_stages_and_the_final_one_has_no_build_tools() -> None:
    stages = dict(dockerfile_stages())
    assert list(stages)[-1] == "" and {"builder", "anvil"} <= set(stages)
    final = stages[""]
    for tool in ("apt-get install", "build-essential", "gcc", "npm", "nodejs", "pip wheel"):
        assert tool not in final, f"the final image runs {tool!r}: build tools belong in the builder"
    assert "COPY --from=builder /opt/gpid /opt/gpid" in final and "PATH=/opt/gpid/bin:$PATH" in final
    builder = stages["builder"]
    assert "pip install --require-hashes -r requirements/runtime.txt" in builder, "the image must install the lock, hashes checked"
    assert "pip wheel --no-deps" in builder and "pip install --no-deps /wheels/gpid_node-" in builder
    assert "-e ." not in builder, "the image installs the wheel, not the source tree"


def test_the_compose_chain_runs_the_anvil_the_image_holds() -> None:
    final = dict(dockerfile_stages())[""]
    [installed] = re.findall(r"COPY --from=anvil \S+ (\S+)", final)
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    chain = compose[compose.index("\n  chain:"):compose.index("\n  postgres:")]
    assert f"      - {installed}\n" in chain, f"the chain service must run {installed}"
