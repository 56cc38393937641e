"""``create_app(node, settings)``: the FastAPI app of one node, built on call, never at import."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from gpid_node.api import openapi, problems
from gpid_node.api.forwarded import ForwardedScheme
from gpid_node.api.idempotency import Idempotency
from gpid_node.api.metrics import Metrics, build_labels
from gpid_node.api.middleware import AccessLog, BodyLimit, SecurityHeaders
from gpid_node.api.rate_limit import Rate, RateLimit, RateLimits
from gpid_node.api.routes import (
    api_docs,
    declarations,
    disclosures,
    grants,
    health,
    key_data_sets,
    mandates,
    master_data,
    problem_types,
    proof_bundles,
    submissions,
    verifications,
)
from gpid_node.api.routes import events as event_feed
from gpid_node.api.routes import webhooks as webhook_routes
from gpid_node.api.ui import gate
from gpid_node.api.ui import routes as console
from gpid_node.services.node import Node
from gpid_node.settings import Settings
from gpid_node.store import outbox_queries

DESCRIPTION = """\
The REST facade of a **GPID node** (Goods Passport ID): one tamper-proof key data set per commercial
invoice, anchored on an EVM chain. Sellers register and amend key data sets, brokers link them to
Customs declarations, Customs verify declarations against them.

**Authentication.** Every `/v1` request carries an API key as a bearer token:
`Authorization: Bearer gpid_<key id>.<secret>`. A key is bound to a role (seller, buyer, broker,
customs, operator) and an account; a missing, unknown or revoked key is answered 401. What a key
may read follows its role: a key data set it may not see is answered 404, never 403, so that its
existence does not leak.

**Writes: 201 or 202.** A write is recorded in the node's durable outbox before it is sent to the
chain. When it is mined within the node's write timeout the answer is **201** with the result and
`Location` pointing at what was created. Otherwise it is **202** with the same members (`status`
`pending`, `transaction`/`block` possibly null) and `Location: /v1/submissions/{id}` to follow it;
nothing is lost. Send an `Idempotency-Key` header with a POST to retry it safely: the same key with
the same body replays the first answer without writing again (the answer is kept before it is sent,
so a retry made the moment it arrives is a replay too). When the chain cannot be reached a
write is answered **503** with `Retry-After`; reads keep working from the index and say so
(`integrity.checked_against: "index"`, `freshness.chain_reachable: false`).

**Rate limits.** Each API key may send so many reads (GET) and so many writes (POST) a second, with
a burst allowance; requests without a key (or with one the node has not yet seen authenticate) are
counted per client address. A request over the limit is answered **429** with `Retry-After` (whole
seconds) and nothing is done: an `Idempotency-Key` it carried is not used up. The node's operator
sets the limits (`GPID_RATE_LIMIT_*`).

**Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `type` URI
(`https://gpid.dev/problems/...`, documented at its path on every node: `/problems/...`), a `title`, the `status`, a `detail` saying what to do next, and
evidence as extension members: `errors: [{"path": "goods[0].hs_code", "message"}]` lists every
field problem at once (422), `gpid` names the existing GPID of an invoice already registered (409).
"""

OPENAPI_TAGS = openapi.TAGS  # kebab-case, each described; the document lists those its operations use


def _version() -> str:
    try:
        return package_version("gpid-node")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def _indexer_lag(node: Node) -> object:
    return node.indexer.lag()


def create_app(node: Node, settings: Settings) -> FastAPI:
    """The API over ``node`` (started and stopped by the caller), configured by ``settings``."""
    app = FastAPI(
        title="GPID node",
        version=_version(),
        description=DESCRIPTION,
        openapi_tags=OPENAPI_TAGS,
        docs_url=None,  # Swagger UI from the node's own assets: api_docs below
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.node = node
    app.state.settings = settings
    app.state.metrics = Metrics(
        outbox_depth=node.outbox.depth, indexer_lag=lambda: _indexer_lag(node),
        outbox_backlog=lambda: outbox_queries.backlog(node.store),
        indexer_counts=lambda: {"reorgs": node.indexer.reorgs, "rewinds": node.indexer.rewinds},
        engine_restarts=lambda: node.engines.restarts, build=build_labels(_version()),
    )  # fmt: skip
    app.state.metrics.add_webhook_backlog(lambda: node.webhooks.backlog())  # read at scrape time

    for module in (key_data_sets, proof_bundles, grants, disclosures, mandates, declarations, verifications, submissions, master_data, health):
        app.include_router(module.router)
    app.include_router(event_feed.router)
    app.include_router(webhook_routes.router)
    app.include_router(problem_types.router)  # /problems/{name}: the documentation of each problem type
    app.include_router(api_docs.router)  # /docs: Swagger UI, offline
    app.include_router(gate.router)  # the gate page, /ui/gate (no sign-in), before the console's catch-all
    app.include_router(console.router)  # the audit console, /ui (pages, not in the OpenAPI)
    problems.install(app)
    openapi.install(app)

    # Added innermost first: each add_middleware wraps what is there already.
    app.add_middleware(Idempotency, store=node.store, stale_after_s=settings.write_timeout_s + 60,
                       retention_s=settings.idempotency_retention_s)  # fmt: skip
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.state.rate_limits = RateLimits(
        reads=Rate(settings.rate_limit_per_s, settings.rate_limit_burst),
        writes=Rate(settings.rate_limit_writes_per_s, settings.rate_limit_writes_burst),
    )
    app.add_middleware(RateLimit, limits=app.state.rate_limits, console_page=console.too_many_requests_page)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "X-Request-ID"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID", "Idempotent-Replayed"],
            max_age=600,
        )
    app.add_middleware(AccessLog, metrics=app.state.metrics)
    public_https = (settings.public_url or "").startswith("https://")
    app.add_middleware(SecurityHeaders, hsts=public_https)
    if settings.trusted_proxies:  # outermost: every layer below sees the scheme the client used
        app.add_middleware(ForwardedScheme, proxies=settings.trusted_proxies)
    return app
