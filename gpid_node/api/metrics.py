"""Prometheus metrics of one app: requests and latency by route template, outbox and indexer gauges.

Each app has its own registry (two apps in one process never collide); the gauges read the node
when ``/metrics`` is scraped, never in the background.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

log = structlog.get_logger("gpid.api")

__all__ = ["CONTENT_TYPE", "Metrics"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _read(what: str, read: Callable[[], Any]) -> float:
    """A gauge's value at scrape time; NaN when it cannot be read now (the scrape still answers)."""
    try:
        value = read()
    except Exception as exc:
        log.warning("metrics.gauge_unreadable", gauge=what, error=repr(exc))
        return math.nan
    return math.nan if value is None else float(value)


class _DeliveryCounts(Collector):
    """``gpid_webhook_deliveries_total`` by outcome, counted in the delivery queue at scrape time."""

    def __init__(self, backlog: Callable[[], dict[str, int]]) -> None:
        self.backlog = backlog

    def describe(self) -> Iterable[Metric]:
        return [CounterMetricFamily("gpid_webhook_deliveries", "Webhook delivery attempts by outcome", labels=["outcome"])]

    def collect(self) -> Iterable[Metric]:
        family = CounterMetricFamily("gpid_webhook_deliveries", "Webhook delivery attempts by outcome", labels=["outcome"])
        try:
            counts = self.backlog()
        except Exception as exc:
            log.warning("metrics.gauge_unreadable", gauge="webhook_deliveries", error=repr(exc))
            return [family]
        for outcome, key in (("delivered", "delivered"), ("failed", "failed_attempts"), ("dead", "dead")):
            family.add_metric([outcome], counts.get(key, 0))
        return [family]


class Metrics:
    def __init__(self, outbox_depth: Callable[[], Any], indexer_lag: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
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

    def add_webhook_backlog(self, backlog: Callable[[], dict[str, int]]) -> None:
        """The webhook queue, read from the database at scrape time (the engine process delivers):
        ``gpid_webhook_deliveries_pending`` and ``gpid_webhook_deliveries_total{outcome}`` (delivered,
        failed attempts, dead-lettered)."""
        Gauge("gpid_webhook_deliveries_pending", "Webhook deliveries queued and not yet delivered or dead-lettered",
              registry=self.registry).set_function(lambda: _read("webhook_backlog", lambda: backlog()["pending"]))  # fmt: skip
        self.registry.register(_DeliveryCounts(backlog))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
