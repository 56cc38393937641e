"""Errors of the GPID node client: every problem answer of the node as a typed exception.

The generated API functions return the node's answer, a problem (RFC 9457) included, as a value:
``sync_detailed(...)`` gives a ``Response`` whose ``parsed`` is the success model or a ``Problem``.
:func:`unwrap` turns that into the success model, or raises the problem as an exception::

    ProblemError                  any problem answer; .problem, .status, .type, .slug, .detail, .errors
     ├── BadRequest               400  (invalid-gpid, malformed-json, ...)
     ├── Unauthenticated          401
     ├── Forbidden                403  (not-authorised-linker, not-seller, ...)
     ├── NotFound                 404  (unknown-gpid, unknown-declaration, ...)
     │    └── UnknownGPID         404  unknown-gpid
     ├── MethodNotAllowed         405
     ├── NotAcceptable            406
     ├── Conflict                 409
     │    ├── InvoiceAlreadyRegistered   .gpid names the existing GPID
     │    └── DeclarationAlreadyLinked
     ├── PayloadTooLarge          413
     ├── UnsupportedMediaType     415
     ├── InvalidRequest           422  .errors lists every field problem
     │    └── ValidationFailed    422  validation-failed
     ├── RateLimited              429  .retry_after (seconds)
     ├── ServerError              500
     └── Unavailable              503  .retry_after (seconds)

Each problem ``type`` is documented on the node at the path of its URI (``GET /problems/{slug}``).
This file is rendered from ``clients/python/templates/errors.py.jinja`` by ``scripts/generate-client``.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from .models.problem import Problem
from .types import Response, Unset

T = TypeVar("T")
PROBLEM_BASE = "https://gpid.dev/problems/"


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


class ProblemError(Exception):
    """A problem answer of the node (``application/problem+json``)."""

    def __init__(self, problem: Problem, headers: Any = None) -> None:
        self.problem = problem
        self.headers = dict(headers or {})
        super().__init__(f"{problem.status} {problem.title}: {problem.detail} (see {self.documentation})")

    @property
    def status(self) -> int:
        return self.problem.status

    @property
    def type(self) -> str:
        return self.problem.type_

    @property
    def slug(self) -> str:
        """The problem type's name, the last part of its URI (``unknown-gpid``)."""
        return self.problem.type_.rsplit("/", 1)[-1]

    @property
    def documentation(self) -> str:
        """Where a node documents this problem type (resolve against the node's URL)."""
        return f"/problems/{self.slug}"

    @property
    def detail(self) -> str:
        return self.problem.detail

    @property
    def errors(self) -> list[tuple[str, str]]:
        """Every field problem as (path, message); empty when the problem names none."""
        found = self.problem.errors
        if found is None or isinstance(found, Unset):
            return []
        return [(error.path, error.message) for error in found]

    @property
    def retry_after(self) -> int | None:
        value = {k.lower(): v for k, v in self.headers.items()}.get("retry-after")
        return int(value) if value is not None and str(value).isdigit() else None


class BadRequest(ProblemError):
    """400: the request is malformed (a GPID with a wrong check character, a body that is not JSON)."""


class Unauthenticated(ProblemError):
    """401: no API key, or an unknown or revoked one."""


class Forbidden(ProblemError):
    """403: your role or account may not do this."""


class NotFound(ProblemError):
    """404: not found, or not visible to you."""


class UnknownGPID(NotFound):
    """No key data set with this GPID is visible to you."""


class MethodNotAllowed(ProblemError):
    """405: the path does not answer this method; the ``Allow`` header lists those it answers."""


class NotAcceptable(ProblemError):
    """406: the node cannot answer in a media type your ``Accept`` header names."""


class Conflict(ProblemError):
    """409: conflicts with the registry's state."""


class InvoiceAlreadyRegistered(Conflict):
    """The invoice has a key data set already: :attr:`gpid` names it."""

    @property
    def gpid(self) -> str | None:
        value = self.problem.gpid
        return None if isinstance(value, Unset) else value


class DeclarationAlreadyLinked(Conflict):
    """The declaration references this GPID already."""


class PayloadTooLarge(ProblemError):
    """413: the body is larger than the node accepts."""


class UnsupportedMediaType(ProblemError):
    """415: the body's content type is not accepted."""


class InvalidRequest(ProblemError):
    """422: the request is invalid; :attr:`errors` lists every problem with its field path."""


class ValidationFailed(InvalidRequest):
    """The key data set (or another body) is invalid: every field problem in :attr:`errors`."""


class RateLimited(ProblemError):
    """429: too many requests; retry after :attr:`retry_after` seconds."""


class ServerError(ProblemError):
    """500: the node failed; its operator finds the request under ``problem.request_id``."""


class Unavailable(ProblemError):
    """503: the chain or the index database cannot be reached; retry after :attr:`retry_after` seconds."""


BY_STATUS: dict[int, type[ProblemError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    406: NotAcceptable,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: InvalidRequest,
    429: RateLimited,
    500: ServerError,
    503: Unavailable,
}
BY_SLUG: dict[str, type[ProblemError]] = {
    "unknown-gpid": UnknownGPID,
    "invoice-already-registered": InvoiceAlreadyRegistered,
    "declaration-already-linked": DeclarationAlreadyLinked,
    "validation-failed": ValidationFailed,
}


def problem_error(problem: Problem, headers: Any = None) -> ProblemError:
    """The exception of a problem: by its type when the client knows it, else by its status."""
    slug = problem.type_.rsplit("/", 1)[-1]
    cls = BY_SLUG.get(slug) if problem.type_.startswith(PROBLEM_BASE) else None
    if cls is None or BY_STATUS.get(problem.status) not in cls.__mro__:
        cls = BY_STATUS.get(problem.status, ProblemError)
    return cls(problem, headers)


def unwrap(response: Response[T | Problem]) -> T:
    """The success model of ``response`` (from an API function's ``sync_detailed``/``asyncio_detailed``), or raises
    the problem it carries as a :class:`ProblemError`; an undocumented error status raises :class:`UnexpectedStatus`."""
    parsed = response.parsed
    if isinstance(parsed, Problem):
        raise problem_error(parsed, response.headers)
    if response.status_code >= 400:
        try:
            body = json.loads(response.content)
            problem = Problem.from_dict(body) if isinstance(body, dict) and "type" in body else None
        except (ValueError, KeyError, TypeError):
            problem = None
        if problem is not None:
            raise problem_error(problem, response.headers)
        raise UnexpectedStatus(response.status_code, response.content)
    return parsed  # type: ignore[return-value]  # None only for an undocumented success status


__all__ = [
    "BadRequest",
    "Conflict",
    "DeclarationAlreadyLinked",
    "Forbidden",
    "InvalidRequest",
    "InvoiceAlreadyRegistered",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "PayloadTooLarge",
    "ProblemError",
    "RateLimited",
    "ServerError",
    "Unauthenticated",
    "Unavailable",
    "UnexpectedStatus",
    "UnknownGPID",
    "UnsupportedMediaType",
    "ValidationFailed",
    "problem_error",
    "unwrap",
]
