"""The problem table: every exception the node can raise has its status and type, nothing slips through."""

from __future__ import annotations

import inspect

import pytest

from gpid_node.api.problems import PROBLEM_BASE, PROBLEMS, field_path, problem_type_of
from gpid_node.domain import errors as e

NODE_ERRORS = [
    cls for _, cls in inspect.getmembers(e, inspect.isclass) if issubclass(cls, e.GPIDError) and cls.__module__ == e.__name__
]


def test_every_node_error_class_has_its_own_entry() -> None:
    assert len(NODE_ERRORS) >= 19
    missing = [cls.__name__ for cls in NODE_ERRORS if cls not in PROBLEMS]
    assert missing == []


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (e.ValidationFailed([e.FieldProblem("goods[0].hs_code", "bad")]), 422, "validation-failed"),
        (e.InvalidGPID("GPX", "the check character does not match"), 400, "invalid-gpid"),
        (e.UnknownGPID("GP1"), 404, "unknown-gpid"),
        (e.UnknownDeclaration("GB", "R1"), 404, "unknown-declaration"),
        (e.NotFound("x"), 404, "not-found"),
        (e.PermissionDenied("no"), 403, "permission-denied"),
        (e.TraderNotBound("0x0"), 403, "trader-not-bound"),
        (e.NotAuthorisedAuthor("GP1", "0x0"), 403, "not-authorised-author"),
        (e.NotAuthorisedLinker("GP1", "0x0"), 403, "not-authorised-linker"),
        (e.InvoiceAlreadyRegistered("GP1"), 409, "invoice-already-registered"),
        (e.DeclarationAlreadyLinked("GP1", "GB", "R1"), 409, "declaration-already-linked"),
        (e.NothingChanged("GP1"), 409, "nothing-changed"),
        (e.CommitmentsMismatch("GP1"), 409, "commitments-mismatch"),
        (e.TooManyVersions("GP1", 100), 409, "too-many-versions"),
        (e.TooManyLinks("GP1", 100), 409, "too-many-links"),
        (e.NoEncryptionKey("0x0"), 422, "no-encryption-key"),
        (e.WrongKeyId("0x0", "0x1", "0x2"), 422, "wrong-key-id"),
        (e.NotGranted("GP1", "0x0"), 404, "not-granted"),
        (e.NotSeller("GP1", "0x0"), 403, "not-seller"),
        (e.NotBuyer("GP1", "0x0"), 403, "not-buyer"),
        (e.NotParty("GP1", "0x0"), 403, "not-party"),
        (e.DeclarationNotLinked("GP1", "GB", "0x1"), 403, "declaration-not-linked"),
        (e.AlreadyGranted("GP1", "0x0"), 409, "already-granted"),
        (e.WrongFormat("GP1", 1, 2), 409, "wrong-format"),
        (e.Conflict("x"), 409, "conflict"),
        (e.SectionImmutable(["invoice.date"]), 422, "section-immutable"),
        (e.ChainUnavailable("down"), 503, "chain-unavailable"),
        (e.StoreUnavailable("down"), 503, "store-unavailable"),
        (e.ChainRejected("Panic", {"code": 1}), 422, "chain-rejected"),
        (RuntimeError("boom"), 500, "internal-error"),
    ],
)
def test_each_error_maps_to_one_status_and_type(error: Exception, status: int, slug: str) -> None:
    kind = problem_type_of(error)
    assert (kind.status, kind.uri) == (status, PROBLEM_BASE + slug)


def test_an_unlisted_subclass_takes_its_nearest_ancestors_entry() -> None:
    class Newcomer(e.UnknownGPID):
        pass

    assert problem_type_of(Newcomer("GP1")).status == 404


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("body", "goods", 0, "hs_code"), "goods[0].hs_code"),
        (("body", "declaration", "items", 2, "value"), "declaration.items[2].value"),
        (("query", "limit"), "limit"),
        (("header", "Idempotency-Key"), "Idempotency-Key"),
        (("body",), ""),
    ],
)
def test_request_validation_locations_become_field_paths(loc: tuple, path: str) -> None:
    assert field_path(loc) == path
