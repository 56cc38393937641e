"""Prometheus metrics of one app: requests and latency by route template, the outbox and indexer
gauges, the indexer's reorgs and the engine process's restarts, the build, and the process.

Each app has its own registry (two apps in one process never collide); the gauges and counters that
read the node do so when ``/metrics`` is scraped, never in the background. docs/operations.md lists
every metric; docs/monitoring/ holds the alert rules and the dashboard that use them.
"""

from __future__ import annotations

import math
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gpid_node.chain import artifacts

log = structlog.get_logger("gpid.api")

__all__ = ["CONTENT_TYPE", "Metrics", "build_labels"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
COMMIT_ENV = "GPID_BUILD_COMMIT"


def _read(what: str, read: Callable[[], Any]) -> float:
    """A gauge's value at scrape time; NaN when it cannot be read now (the scrape still answers)."""
    try:
        value = read()
    except Exception as exc:
        log.warning("metrics.gauge_unreadable", gauge=what, error=repr(exc))
        return math.nan
    return math.nan if value is None else float(value)


@cache
def _commit() -> str:
    """The commit this node was built from: ``GPID_BUILD_COMMIT`` (set by the image's build), else the
    checkout's HEAD when running from the repository, else "" (an installed wheel knows none)."""
    given = os.environ.get(COMMIT_ENV, "").strip()
    if given:
        return given
    if not (artifacts.REPO_ROOT / ".git").exists():
        return ""
    try:
        done = subprocess.run(["git", "-C", str(artifacts.REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def build_labels(version: str) -> dict[str, str]:
    """The labels of ``gpid_build_info``: the node's version and commit, the contracts' compiler and EVM version."""
    try:
        facts = artifacts.build_facts()
    except (OSError, ValueError) as exc:
        log.warning("metrics.build_unreadable", error=repr(exc))
        facts = {"solc": "", "evm_version": ""}
    return {"version": version, "commit": _commit(), **facts}


class _NodeCollector(Collector):
    """What the node counts itself, read at scrape time: the outbox backlog by state, the indexer's
    reorgs and rewinds, the engine process's restarts."""

    def __init__(
        self,
        outbox_backlog: Callable[[], Mapping[str, tuple[int, datetime | None]]] | None,
        indexer_counts: Callable[[], Mapping[str, int]] | None,
        engine_restarts: Callable[[], int] | None,
    ) -> None:
        self.outbox_backlog = outbox_backlog
        self.indexer_counts = indexer_counts
        self.engine_restarts = engine_restarts

    def describe(self) -> Iterator[Any]:
        return iter(())  # collected on scrape only (describe must not read the database)

    def collect(self) -> Iterator[Any]:
        if self.outbox_backlog is not None:
            backlog = GaugeMetricFamily("gpid_outbox_backlog", "Writes not yet mined or refused, by state (pending: not yet sent)",
                                        labels=("state",))  # fmt: skip
            oldest = GaugeMetricFamily("gpid_outbox_oldest_age_seconds", "Age of the oldest write in each state (0 when none)",
                                       labels=("state",))  # fmt: skip
            try:
                states = self.outbox_backlog()
            except Exception as exc:
                log.warning("metrics.gauge_unreadable", gauge="outbox_backlog", error=repr(exc))
                states = {}
            now = datetime.now(UTC)
            for state, (count, recorded) in sorted(states.items()):
                backlog.add_metric((state,), count)
                if recorded is not None and recorded.tzinfo is None:
                    recorded = recorded.replace(tzinfo=UTC)  # SQLite hands back the naive UTC it was given
                oldest.add_metric((state,), max(0.0, (now - recorded).total_seconds()) if recorded else 0.0)
            yield backlog
            yield oldest
        if self.indexer_counts is not None:
            counts = self.indexer_counts()
            yield CounterMetricFamily("gpid_indexer_reorgs", "Reorgs the index was rewound for", value=counts.get("reorgs", 0))
            yield CounterMetricFamily("gpid_indexer_rewinds", "Times indexed rows were taken back (reorgs, an older chain, another registry)",
                                      value=counts.get("rewinds", 0))  # fmt: skip
        if self.engine_restarts is not None:
            yield CounterMetricFamily("gpid_engine_restarts", "Engine processes started again after one died", value=self.engine_restarts())


class _DeliveryCounts(Collector):
    """The webhook queue, counted once per scrape: ``gpid_webhook_deliveries_pending`` (NaN when the
    queue cannot be read now) and ``gpid_webhook_deliveries_total`` by outcome."""

    def __init__(self, backlog: Callable[[], dict[str, int]]) -> None:
        self.backlog = backlog

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, CounterMetricFamily]:
        return (GaugeMetricFamily("gpid_webhook_deliveries_pending", "Webhook deliveries queued and not yet delivered or dead-lettered"),
                CounterMetricFamily("gpid_webhook_deliveries", "Webhook delivery attempts by outcome", labels=["outcome"]))  # fmt: skip

    def describe(self) -> Iterable[Metric]:
        return list(self._families())

    def collect(self) -> Iterable[Metric]:
        pending, outcomes = self._families()
        try:
            counts = self.backlog()
            waiting = float(counts["pending"])
        except Exception as exc:
            log.warning("metrics.gauge_unreadable", gauge="webhook_deliveries", error=repr(exc))
            pending.add_metric([], math.nan)
            return [pending, outcomes]
        pending.add_metric([], waiting)
        for outcome, key in (("delivered", "delivered"), ("failed", "failed_attempts"), ("dead", "dead")):
            outcomes.add_metric([outcome], counts.get(key, 0))
        return [pending, outcomes]


class Metrics:
    def __init__(
        self,
        outbox_depth: Callable[[], Any],
        indexer_lag: Callable[[], Any],
        *,
        outbox_backlog: Callable[[], Mapping[str, tuple[int, datetime | None]]] | None = None,
        indexer_counts: Callable[[], Mapping[str, int]] | None = None,
        engine_restarts: Callable[[], int] | None = None,
        build: Mapping[str, str] | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # The process (CPU, memory, open files, start time), the interpreter and its garbage collector.
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self.requests = Counter(
            "gpid_http_requests", "HTTP requests answered", ("method", "route", "status"), registry=self.registry
        )
        self.latency = Histogram(
            "gpid_http_request_duration_seconds", "Time to answer an HTTP request", ("method", "route"),
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        Gauge("gpid_outbox_depth", "Writes recorded but not yet mined or refused", registry=self.registry).set_function(
            lambda: _read("outbox_depth", outbox_depth)
        )
        Gauge("gpid_indexer_lag_blocks", "Blocks the index is behind the chain head", registry=self.registry).set_function(
            lambda: _read("indexer_lag", indexer_lag)
        )
        if build is not None:
            Info("gpid_build", "The node's version and commit, and the compiler and EVM version of its contracts",
                 registry=self.registry).info(dict(build))  # fmt: skip
        self.registry.register(_NodeCollector(outbox_backlog, indexer_counts, engine_restarts))

    def add_webhook_backlog(self, backlog: Callable[[], dict[str, int]]) -> None:
        """The webhook queue, read from the database at scrape time (the engine process delivers):
        ``gpid_webhook_deliveries_pending`` and ``gpid_webhook_deliveries_total{outcome}`` (delivered,
        failed attempts, dead-lettered)."""
        self.registry.register(_DeliveryCounts(backlog))  # one read of the queue a scrape for all of them

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
