"""Translation of the registry's custom errors into the node's exceptions, in one table; and the
chain adapter's own exceptions for answers of the endpoint that are not the contract's refusals.

Every error in the ABI has an entry (a test checks it), so a revert always reaches the user as a
domain error that names the evidence, never as raw bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpid_node.chain.abi import ContractError
from gpid_node.domain import errors as e
from gpid_node.domain.gpid import GPID


class RpcRefused(Exception):
    """The endpoint answered a JSON-RPC call with an error (a transaction it will not take, a query
    it will not run); ``rpc_response`` is its answer. Not a refusal of the contract: those are
    domain errors, decoded from the revert data."""

    def __init__(self, message: str, rpc_response: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.rpc_response = rpc_response or {}


class RangeRefused(RpcRefused):
    """The endpoint refused an ``eth_getLogs`` range (too many blocks or results, typically)."""


class UnknownBlock(LookupError):
    """The chain has no block of that number (yet, or any more)."""


_SECTION_FIELDS = {1: ["seller.trader_id", "invoice.number", "invoice.date"]}


def _gpid(value: bytes) -> str:
    return str(GPID.from_hex(value))


def _country(value: bytes) -> str:
    return bytes(value).decode("ascii", "replace")


def _identifier_problem(path: str) -> Callable[[dict[str, Any]], e.GPIDError]:
    return lambda a: e.ValidationFailed(
        [e.FieldProblem(path, f"{a['identifier']!r} is not in normal form (upper case, no spaces, 1 to 70 bytes)")]
    )


TRANSLATIONS: dict[str, Callable[[dict[str, Any]], e.GPIDError]] = {
    "TraderNotBound": lambda a: e.TraderNotBound(a["caller"]),
    "AccountAlreadyBound": lambda a: e.Conflict(
        f"account {a['account']} is already bound to a trader ID; unbind it first", account=a["account"]
    ),
    "AccountOfAnotherTrader": lambda a: e.Conflict(
        f"account {a['account']} acted for another trader ID before; an account acts for one trader only: "
        "use a new account", account=a["account"]
    ),
    "IdentifierNotNormalised": _identifier_problem("identifier"),
    "InvalidCountry": lambda a: e.ValidationFailed(
        [e.FieldProblem("country", f"{_country(a['country'])!r} is not an ISO 3166-1 alpha-2 code")]
    ),
    "InvoiceAlreadyRegistered": lambda a: e.InvoiceAlreadyRegistered(_gpid(a["gpid"])),
    "UnknownGPID": lambda a: e.UnknownGPID(_gpid(a["gpid"])),
    "UnknownVersion": lambda a: e.ValidationFailed(
        [e.FieldProblem("version", f"{_gpid(a['gpid'])} has no version {a['version']}")]
    ),
    "CommitmentsMismatch": lambda a: e.CommitmentsMismatch("this key data set"),
    "SectionImmutable": lambda a: e.SectionImmutable(_SECTION_FIELDS.get(a["section"], [f"section {a['section']}"])),
    "NothingChanged": lambda a: e.NothingChanged(_gpid(a["gpid"])),
    "NotAuthorisedAuthor": lambda a: e.NotAuthorisedAuthor(_gpid(a["gpid"]), a["account"]),
    "NotSeller": lambda a: e.NotSeller(_gpid(a["gpid"]), a["account"]),
    "NotBuyer": lambda a: e.NotBuyer(_gpid(a["gpid"]), a["account"]),
    "NotAuthorisedLinker": lambda a: e.NotAuthorisedLinker(_gpid(a["gpid"]), a["account"]),
    "DeclarationAlreadyLinked": lambda a: e.DeclarationAlreadyLinked(
        _gpid(a["gpid"]), _country(a["country"]), "0x" + bytes(a["referenceKey"]).hex()
    ),
    "TooManyVersions": lambda a: e.TooManyVersions(_gpid(a["gpid"]), a["maxVersions"]),
    "TooManyLinks": lambda a: e.TooManyLinks(_gpid(a["gpid"]), a["maxLinks"]),
    "InvalidDirection": lambda a: e.ValidationFailed(
        [e.FieldProblem("direction", f"direction {a['direction']} is neither export (1) nor import (2)")]
    ),
    "InvalidOutcome": lambda a: e.ValidationFailed(
        [e.FieldProblem("outcome", f"outcome {a['outcome']} is not 1 match, 2 discrepancies or 3 integrity failure")]
    ),
    "InvalidPayload": lambda a: e.ValidationFailed([e.FieldProblem("payload", "the payload is empty or untagged")]),
    "UnsupportedPayloadFormat": lambda a: e.ValidationFailed(
        [e.FieldProblem("payload", f"format tag {a['format']} is neither 1 (plain) nor 2 (encrypted)")]
    ),
    "PayloadTooShort": lambda a: e.ValidationFailed(
        [e.FieldProblem("payload", f"the encrypted payload takes {a['size']} bytes; its header announces at least {a['minSize']}")]
    ),
    "PayloadFormatMismatch": lambda a: e.ValidationFailed(
        [e.FieldProblem("payload", f"{_gpid(a['gpid'])} is of format {a['expected']}; an amendment of format {a['given']} is refused")]
    ),
    "WrongFormat": lambda a: e.WrongFormat(_gpid(a["gpid"]), a["format"], a["required"]),
    "InvalidInvoiceKey": lambda a: e.ValidationFailed(
        [e.FieldProblem("invoice.number", "the registration carries no invoice key (recorded by a node before invoice keys, "
                                          "whose registry took the invoice number): register the key data set again")]
    ),
    "InvalidEncryptionKey": lambda a: e.ValidationFailed(
        [e.FieldProblem("public_key", f"the zero key is not an X25519 public key (account {a['account']})")]
    ),
    "NoEncryptionKey": lambda a: e.NoEncryptionKey(a["account"]),
    "WrongKeyId": lambda a: e.WrongKeyId(
        a["account"], "0x" + bytes(a["expected"]).hex(), "0x" + bytes(a["given"]).hex()
    ),
    "InvalidWrappedKey": lambda a: e.ValidationFailed(
        [e.FieldProblem("wrapped_key", f"a wrapped key takes exactly {a['expectedSize']} bytes, not {a['size']}")]
    ),
    "AlreadyGranted": lambda a: e.AlreadyGranted(_gpid(a["gpid"]), a["grantee"]),
    "NotGranted": lambda a: e.NotGranted(_gpid(a["gpid"]), a["grantee"]),
    "DeclarationNotLinked": lambda a: e.DeclarationNotLinked(
        _gpid(a["gpid"]), _country(a["country"]), "0x" + bytes(a["referenceKey"]).hex()
    ),
    "PayloadTooLarge": lambda a: e.ValidationFailed(
        [e.FieldProblem("", f"the key data set takes {a['size']} bytes on chain; at most {a['maxSize']} are accepted")]
    ),
    "ReasonTooLong": lambda a: e.ValidationFailed(
        [e.FieldProblem("reason", f"the reason takes {a['size']} bytes; at most {a['maxSize']} are accepted")]
    ),
    "EmptyBatch": lambda a: e.ValidationFailed([e.FieldProblem("items", "a batch needs at least one item")]),
    "BatchItemRejected": lambda a: _batch_item(a),
    "AccessControlUnauthorizedAccount": lambda a: e.PermissionDenied(
        f"account {a['account']} lacks the role this needs ({'0x' + bytes(a['neededRole']).hex()})",
        account=a["account"],
    ),
    "AccessControlBadConfirmation": lambda a: e.PermissionDenied("an account may only renounce its own roles"),
    "Error": lambda a: e.ChainRejected("Error", {"message": a["message"]}),
    "Panic": lambda a: e.ChainRejected("Panic", {"code": a["code"]}),
}


def _batch_item(args: dict[str, Any]) -> e.GPIDError:
    inner = args.get("error")
    error = to_domain_error(inner) if isinstance(inner, ContractError) else e.ChainRejected("BatchItemRejected", args)
    error.details["batch_index"] = args["index"]
    return error


def to_domain_error(error: ContractError) -> e.GPIDError:
    """The node's exception for a decoded revert."""
    translate = TRANSLATIONS.get(error.name)
    result = e.ChainRejected(error.name, error.args) if translate is None else translate(error.args)
    result.contract_error = error
    return result
