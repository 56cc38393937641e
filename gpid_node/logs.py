"""Structured logs: JSON lines by default (one event per line, UTC timestamps), console for humans.

No secret reaches a log line: values under secret names are replaced, and every text of an event
(the message, the values, a rendered exception) goes through :func:`redaction.redact_text` with the
secret fragments this process knows (:func:`hide`: the chain URL's key, the database password,
the keystore password, registered when the settings are loaded), so a library's exception that
quotes the endpoint (``... with url: /v3/<key>``) is logged without it.

Records of the standard ``logging`` module (uvicorn, alembic, web3, urllib3) go through the same
processors (``structlog.stdlib.ProcessorFormatter``): one JSON line (or console line) like the
node's own events, with ``logger`` naming the library, the level, the UTC timestamp and a rendered
exception, redacted the same way. Libraries log warnings and errors; uvicorn's server lines (start,
stop) at the configured level too.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import MutableMapping
from typing import Any

import structlog

from gpid_node.domain.redaction import MIN_SECRET_CHARS, redact_text, url_secrets

_SECRET_KEYS = frozenset({"authorization", "api_key", "password", "private_key", "keystore_password", "secret"})
_hidden: frozenset[str] = frozenset()
_hiding = threading.Lock()


def hide(*values: str | None, urls: tuple[str | None, ...] = ()) -> None:
    """Registers secrets this process must never log: ``values`` as they are, ``urls`` by their
    secret parts (:func:`redaction.url_secrets`)."""
    global _hidden
    found = {v for v in values if v and len(v) >= MIN_SECRET_CHARS}
    for url in urls:
        found |= url_secrets(url)
    with _hiding:
        _hidden = _hidden | found


def hidden() -> frozenset[str]:
    """The secrets registered with :func:`hide` (for other places that print texts: the CLI)."""
    return _hidden


def scrub(text: str) -> str:
    """A text as it may be shown: URLs redacted, every registered secret replaced."""
    return redact_text(text, _hidden)


def _redact(_logger: object, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in _SECRET_KEYS:
            event[key] = "[redacted]"
        elif isinstance(event[key], str):
            event[key] = scrub(event[key])
    return event


class _StdlibFormatter(structlog.stdlib.ProcessorFormatter):
    """The standard library's records rendered by structlog's processors, redacted as its events are
    (and the rendered line scrubbed once more: a library may format a secret into its message)."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


# Libraries whose informational lines an operator wants (at the configured level); every other
# standard-library logger passes warnings and errors only.
_CHATTY_AT_LEVEL = ("uvicorn",)


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    renderer: Any = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer()
    stamped: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    level_no = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[
            *stamped,
            structlog.processors.format_exc_info,
            _redact,  # after format_exc_info: the rendered exception is redacted too
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level_no),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _StdlibFormatter(
            foreign_pre_chain=[*stamped, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _redact,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not isinstance(h.formatter, _StdlibFormatter)] + [handler]
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    for name in _CHATTY_AT_LEVEL:
        library = logging.getLogger(name)
        library.setLevel(level_no)
        library.handlers = []  # uvicorn's own handlers (when it configured logging) would print twice
        library.propagate = True
