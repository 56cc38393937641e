"""/metrics of a live node: the build, the process, the outbox backlog by state, the indexer's reorgs
(a real reorg on anvil) and the engine process's restarts (a real engine process killed); and every
metric that docs/monitoring's alert rules and Grafana dashboard use is one the node serves."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from api.harness import SELLER, Api, start_api, stop_api
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient
from support.processes import ROOT
from support.waiting import wait_until

from gpid_node.api.app import create_app
from gpid_node.chain import artifacts
from gpid_node.services.devmode import start_dev_chain
from gpid_node.services.node import open_node
from gpid_node.settings import Settings

MONITORING = ROOT / "docs" / "monitoring"
# Series Prometheus makes itself (not on /metrics): `up` of every scrape target.
PROMETHEUS_OWN = {"up"}
# PromQL words that look like metric names: functions, aggregations, keywords.
PROMQL_WORDS = {
    "sum", "rate", "increase", "histogram_quantile", "by", "without", "count", "min_over_time", "max_over_time",
    "avg_over_time", "changes", "resets", "and", "or", "unless", "le", "on", "ignoring", "group_left", "bool", "max", "min",
    "avg", "label_values", "irate", "delta", "abs", "time", "offset",
}  # fmt: skip


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A node of this module's own: it reorganises its chain."""
    running = start_api(tmp_path_factory.mktemp("gpid-metrics"))
    yield running
    stop_api(running)


def samples(client: TestClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample of /metrics by sample name (``_total``, ``_bucket``, ``_info`` included)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def value(client: TestClient, name: str, **labels: str) -> float:
    [found] = [v for got, v in samples(client)[name] if all(got.get(k) == w for k, w in labels.items())]
    return found


def test_build_info_names_the_version_commit_and_contract_build(own: Api) -> None:
    [(labels, one)] = samples(own.client)["gpid_build_info"]
    facts = artifacts.load_build()
    assert one == 1.0
    assert labels["version"] == own.client.get("/openapi.json").json()["info"]["version"]
    assert labels["solc"] == facts["compiler"]["version"] and labels["evm_version"] == facts["settings"]["evmVersion"]
    assert re.fullmatch(r"[0-9a-f]{7,40}|", labels["commit"])  # the checkout's HEAD here (empty for an installed wheel)


def test_process_metrics_are_served(own: Api) -> None:
    found = samples(own.client)
    assert found["process_resident_memory_bytes"][0][1] > 10e6
    assert found["process_cpu_seconds_total"][0][1] > 0
    assert found["process_start_time_seconds"][0][1] > 1.7e9
    assert "python_info" in found and "python_gc_collections_total" in found


def test_outbox_backlog_by_state_settles_at_zero_after_a_mined_write(own: Api) -> None:
    own.register()
    found = samples(own.client)
    assert {labels["state"]: v for labels, v in found["gpid_outbox_backlog"]} == {"pending": 0.0, "sent": 0.0}
    assert {labels["state"]: v for labels, v in found["gpid_outbox_oldest_age_seconds"]} == {"pending": 0.0, "sent": 0.0}


def test_a_reorg_counts_once_in_the_reorg_counter(own: Api) -> None:
    assert value(own.client, "gpid_indexer_reorgs_total") == 0.0
    client = own.node.client

    def rpc(method: str, *params: Any) -> Any:
        answer = client.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        assert "error" not in answer, answer
        return answer["result"]

    fork_head = client.block_number()
    snapshot = rpc("evm_snapshot")
    own.register()  # branch A: a block the index takes in
    a_head = client.block_number()
    wait_until(lambda: own.node.indexer.status()["cursor"] == a_head, 30, "branch A indexed")
    assert rpc("evm_revert", snapshot) is True
    rpc("anvil_mine", hex(a_head - fork_head + 2))  # a longer branch B without A's block
    wait_until(lambda: own.node.indexer.reorgs >= 1, 30, "the reorg noticed")
    assert value(own.client, "gpid_indexer_reorgs_total") == 1.0
    assert value(own.client, "gpid_indexer_rewinds_total") >= 1.0


@pytest.mark.slow
def test_a_killed_engine_process_counts_in_the_restart_counter(tmp_path: Path) -> None:
    env = start_dev_chain(tmp_path)
    settings = Settings(data_dir=tmp_path, rpc_url=env.chain.url, poll_interval_s=0.02, engine_process=True)
    node = open_node(settings, env.keyring).start(settings)
    try:
        client = TestClient(create_app(node, settings))
        assert value(client, "gpid_engine_restarts_total") == 0.0
        child = node._engine_process._process  # type: ignore[union-attr]
        os.kill(child.pid, signal.SIGKILL)
        wait_until(lambda: value(client, "gpid_engine_restarts_total") == 1.0, 60, "the restart counted")
        wait_until(lambda: node._engine_process._process.is_alive(), 30, "the engine process runs again")  # type: ignore[union-attr]
        client.close()
    finally:
        node.stop()
        node.store.dispose()
        env.stop()


# ---------------------------------------------------------------------- docs/monitoring


def metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression reads (label names, values, functions and durations left out)."""
    stripped = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]', " ", expression)  # label matchers, strings, ranges
    stripped = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", stripped)  # grouping labels
    words = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", stripped))
    return {w for w in words if w not in PROMQL_WORDS and not w.startswith("$") and not re.fullmatch(r"e\d*", w)}


def rules_expressions() -> list[tuple[str, str]]:
    document = yaml.safe_load((MONITORING / "prometheus-rules.yml").read_text(encoding="utf-8"))
    found = []
    for group in document["groups"]:
        for rule in group["rules"]:
            assert {"alert", "expr", "labels", "annotations"} <= set(rule), rule
            assert rule["labels"]["severity"] in ("info", "warning", "critical"), rule
            found.append((rule["alert"], str(rule["expr"])))
    return found


def dashboard_expressions() -> list[tuple[str, str]]:
    document = json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8"))
    found = [(p["title"], t["expr"]) for p in document["panels"] for t in p["targets"]]
    found += [(v["name"], v["query"]) for v in document["templating"]["list"] if v["type"] == "query"]
    return found


def test_the_metric_name_reader_sees_names_not_labels_or_functions() -> None:
    expression = 'histogram_quantile(0.99, sum by (le, route) (rate(gpid_http_request_duration_seconds_bucket{method="GET"}[10m]))) > 1e9'
    assert metric_names(expression) == {"gpid_http_request_duration_seconds_bucket"}
    assert metric_names("process_open_fds / process_max_fds > 0.8") == {"process_open_fds", "process_max_fds"}
    assert metric_names("count(count by (version, solc) (gpid_build_info)) > 1") == {"gpid_build_info"}


def test_every_metric_of_the_alert_rules_and_the_dashboard_is_served(own: Api) -> None:
    own.client.get(f"/v1/key-data-sets/{own.register()['gpid']}", headers=own.auth(SELLER))  # a GET and a POST observed
    own.client.post("/v1/key-data-sets", content=b"{", headers={**own.auth(SELLER), "Content-Type": "application/json"})
    served = set(samples(own.client)) | PROMETHEUS_OWN | {"instance"}  # `instance` is a label_values() argument
    used = rules_expressions() + dashboard_expressions()
    assert len(used) >= 20
    missing = {(where, name) for where, expression in used for name in metric_names(expression) if name not in served}
    assert not missing, f"docs/monitoring uses metrics this node does not serve: {sorted(missing)}"
    every = {name for _, expression in used for name in metric_names(expression)}
    assert {"gpid_build_info", "gpid_outbox_backlog", "gpid_indexer_reorgs_total", "gpid_engine_restarts_total",
            "process_resident_memory_bytes"} <= every  # fmt: skip
