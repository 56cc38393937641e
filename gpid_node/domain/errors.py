"""The exception tree of the GPID node.

Every refusal the node makes is one of these; the HTTP layer maps each class to one status and
problem type in one table (``gpid_node/api/problems.py``), the CLI prints its message. Leaves carry
the names of the contract's custom errors where they mirror one::

    GPIDError
    ├── ValidationFailed            a key data set, request or setting is invalid (every problem, with paths)
    │   ├── InvalidGPID             a GPID text that is malformed or fails its check character
    │   ├── NoEncryptionKey         a grantee that has published no encryption key on chain
    │   ├── WrongKeyId              a wrapped key made for another key than the grantee's current one
    │   ├── InvalidDisclosure       a disclosure's revealed fields do not open the commitments it names
    │   └── EInvoiceRefused         an e-invoice that cannot be read (hostile, malformed, not an invoice, terms missing)
    ├── NotFound
    │   ├── UnknownGPID             no key data set has this GPID (or the caller may not see it)
    │   ├── UnknownDeclaration
    │   └── NotGranted              the account holds no active grant for this GPID
    ├── PermissionDenied            the caller's role or account may not do this
    │   ├── TraderNotBound          the account is not bound to a trader ID
    │   ├── NotAuthorisedAuthor     may not amend this GPID
    │   ├── NotAuthorisedLinker     may not link declarations to this GPID
    │   ├── NotSeller               not bound now to the GPID's seller trader ID
    │   ├── NotBuyer                does not open the GPID's salted buyer commitment
    │   ├── NotParty                neither the GPID's seller nor its buyer (grants are theirs)
    │   └── DeclarationNotLinked    Customs outcome for a declaration not linked to the GPID
    ├── Conflict
    │   ├── InvoiceAlreadyRegistered  the invoice has a GPID already (carries it)
    │   ├── DeclarationAlreadyLinked
    │   ├── SectionImmutable          an amendment touched seller trader ID, invoice number or date
    │   ├── NothingChanged            an amendment that changes nothing
    │   ├── CommitmentsMismatch       an amendment built on a version that is no longer current
    │   ├── TooManyVersions           the key data set has MAX_VERSIONS versions: no more amendments
    │   ├── TooManyLinks              MAX_LINKS declarations reference the GPID: no more links
    │   ├── AlreadyGranted            the account holds an active grant for the GPID already
    │   └── WrongFormat               a confidential-only operation on a plain (format 1) GPID
    ├── ChainUnavailable            the JSON-RPC endpoint cannot be reached (retry later)
    ├── StoreUnavailable            the index database cannot be reached (retry later)
    └── ChainRejected               the contract refused a transaction for a reason not listed above
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def field_path(loc: Any) -> str:
    """A location as a field path: ``("goods", 0, "hs_code")`` → ``goods[0].hs_code``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field: ``path`` in the form ``goods[0].hs_code``."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class GPIDError(Exception):
    """Root of every error the node raises on purpose."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        # The decoded contract error this one translates, when it comes from a revert.
        self.contract_error: Any = None


class ValidationFailed(GPIDError):
    """The input is invalid; ``problems`` lists every problem at once, each with its field path."""

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        self.problems = list(problems)
        summary = "; ".join(f"{p.path or '(root)'}: {p.message}" for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(message or f"{len(self.problems)} problem(s): {summary}{more}")


class InvalidGPID(ValidationFailed):
    """A GPID text that cannot be decoded; the message says what is wrong with it."""

    def __init__(self, text: str, reason: str, path: str = "gpid") -> None:
        self.text = text
        self.reason = reason
        super().__init__([FieldProblem(path, reason)], message=f"invalid GPID {text!r}: {reason}")


class NoEncryptionKey(ValidationFailed):
    """Nothing can be wrapped for an account that has published no encryption key on chain."""

    def __init__(self, account: str, path: str = "grantee") -> None:
        self.account = account
        super().__init__(
            [FieldProblem(path, f"account {account} has published no encryption key on chain; it must publish one first")]
        )


class WrongKeyId(ValidationFailed):
    """A wrapped key tagged with another key id than the grantee's current encryption key."""

    def __init__(self, account: str, expected: str, given: str, path: str = "grantee") -> None:
        self.account = account
        super().__init__(
            [FieldProblem(path, f"the key was wrapped for key id {given}, but {account}'s current key id is "
                                f"{expected} (it rotated its key): wrap it again for the current key")]  # fmt: skip
        )


class InvalidDisclosure(ValidationFailed):
    """A disclosure that proves nothing: malformed, tampered with, or for other commitments.

    ``problems`` names each member of the document that is wrong (``proofs.goods.siblings``, a
    revealed field's path, ...), so a gate officer's verdict can say why.
    """


class EInvoiceRefused(ValidationFailed):
    """An e-invoice the node will not read: too large or deep, a DOCTYPE (XXE, entity expansion),
    malformed XML, a PDF with no embedded invoice, a document that is not an invoice, or one whose
    mandatory terms (number, date, currency, ...) are missing or malformed.

    ``problems`` names each one with its place in the document: an XPath such as
    ``/Invoice/InvoiceLine[3]/Price``, or ``body`` for the document as a whole.
    """


class NotFound(GPIDError):
    """Something the caller named does not exist (or is not visible to the caller)."""


class UnknownGPID(NotFound):
    def __init__(self, gpid: str) -> None:
        self.gpid = gpid
        super().__init__(f"no key data set with GPID {gpid} is visible to you", gpid=gpid)


class UnknownDeclaration(NotFound):
    def __init__(self, country: str, reference: str) -> None:
        super().__init__(f"no declaration {reference} of {country} is known", country=country, reference=reference)


class NotGranted(NotFound):
    def __init__(self, gpid: str, account: str) -> None:
        super().__init__(f"account {account} holds no active grant for {gpid}", gpid=gpid, account=account)


class PermissionDenied(GPIDError):
    """The caller may not do this."""


class TraderNotBound(PermissionDenied):
    def __init__(self, account: str) -> None:
        super().__init__(
            f"account {account} is not bound to a trader ID: ask the onboarding authority to bind it",
            account=account,
        )


class NotAuthorisedAuthor(PermissionDenied):
    def __init__(self, gpid: str, account: str) -> None:
        super().__init__(
            f"account {account} may not amend {gpid}: only the seller's current account and its delegates may",
            gpid=gpid,
            account=account,
        )


class NotAuthorisedLinker(PermissionDenied):
    """``needs`` says what would give the right (format 2: a grant or a mandate); ``path`` names the
    GPID in the request (``gpids[1]``) when the node refuses before anything is written."""

    def __init__(self, gpid: str, account: str, needs: str | None = None, path: str | None = None) -> None:
        details: dict[str, str] = {"gpid": gpid, "account": account}
        if path is not None:
            details["path"] = path
        where = f" ({path})" if path else ""
        super().__init__(
            f"account {account} may not link declarations to {gpid}{where}: "
            + (needs or "brokers, the seller and the buyer may"),
            **details,
        )


class NotSeller(PermissionDenied):
    def __init__(self, gpid: str, account: str) -> None:
        super().__init__(
            f"account {account} is not bound now to the seller trader ID of {gpid}: only the seller's "
            "current account may grant, revoke or appoint delegates",
            gpid=gpid,
            account=account,
        )


class NotBuyer(PermissionDenied):
    def __init__(self, gpid: str, account: str) -> None:
        super().__init__(
            f"account {account} did not prove it is the buyer of {gpid}: its trader key and the buyer salt "
            "do not open the buyer commitment of the current version",
            gpid=gpid,
            account=account,
        )


class NotParty(PermissionDenied):
    def __init__(self, gpid: str, account: str) -> None:
        super().__init__(
            f"the grants of {gpid} are its seller's and its buyer's business: account {account} may read the GPID "
            "but is neither, so it may not list who was given access",
            gpid=gpid,
            account=account,
        )


class DeclarationNotLinked(PermissionDenied):
    def __init__(self, gpid: str, country: str, reference: str) -> None:
        super().__init__(
            f"no declaration {reference} of {country} is linked to {gpid}: Customs records outcomes only "
            "for its own country's declarations linked to the GPID",
            gpid=gpid,
            country=country,
            reference=reference,
        )


class Conflict(GPIDError):
    """The request contradicts the state of the registry."""


class InvoiceAlreadyRegistered(Conflict):
    def __init__(self, gpid: str, invoice_number: str | None = None) -> None:
        self.gpid = gpid
        what = f"invoice {invoice_number}" if invoice_number else "this invoice"
        super().__init__(f"{what} is already registered as {gpid}", gpid=gpid)


class DeclarationAlreadyLinked(Conflict):
    def __init__(self, gpid: str, country: str, reference: str) -> None:
        super().__init__(
            f"declaration {reference} of {country} already references {gpid}",
            gpid=gpid,
            country=country,
            reference=reference,
        )


class SectionImmutable(Conflict):
    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__(
            "the seller trader ID, invoice number and invoice date never change; "
            f"remove {', '.join(fields)} from the changes",
            fields=fields,
        )


class NothingChanged(Conflict):
    def __init__(self, gpid: str) -> None:
        super().__init__(f"the amendment changes nothing in {gpid}", gpid=gpid)


class CommitmentsMismatch(Conflict):
    def __init__(self, gpid: str) -> None:
        super().__init__(
            f"{gpid} was amended meanwhile: read the current version and amend that", gpid=gpid
        )


class TooManyVersions(Conflict):
    """The key data set has reached the registry's cap on versions (``domain/limits.py``)."""

    def __init__(self, gpid: str, max_versions: int) -> None:
        super().__init__(
            f"{gpid} has {max_versions} versions, the most the registry keeps for one key data set: it "
            "cannot be amended again; if the invoice must change further, issue a corrective invoice "
            "and register its key data set",
            gpid=gpid,
            max_versions=max_versions,
        )


class TooManyLinks(Conflict):
    """The GPID has reached the registry's cap on declaration links (``domain/limits.py``)."""

    def __init__(self, gpid: str, max_links: int) -> None:
        super().__init__(
            f"{max_links} declarations reference {gpid} already, the most the registry records for one "
            "key data set: no further declaration can be linked to it; an invoice is declared a handful "
            "of times, so check that the declaration names the right GPID",
            gpid=gpid,
            max_links=max_links,
        )


class AlreadyGranted(Conflict):
    def __init__(self, gpid: str, account: str) -> None:
        super().__init__(f"account {account} holds an active grant for {gpid} already", gpid=gpid, account=account)


class WrongFormat(Conflict):
    def __init__(self, gpid: str, format_: int, required: int) -> None:
        super().__init__(
            f"{gpid} is a format-{format_} key data set; this needs format {required} (grants exist only for "
            "encrypted key data sets: a plain one is public on chain already)",
            gpid=gpid,
            format=format_,
            required=required,
        )


class ChainUnavailable(GPIDError):
    """The chain cannot be reached; the request can be retried later."""

    retry_after_s = 5


class StoreUnavailable(GPIDError):
    """The index database cannot be reached; the request can be retried later."""

    retry_after_s = 5


class ChainRejected(GPIDError):
    """The contract refused a transaction (the message names the contract's error and its arguments)."""

    def __init__(self, error_name: str, arguments: dict[str, Any]) -> None:
        self.error_name = error_name
        self.arguments = arguments
        args = ", ".join(f"{k}={v}" for k, v in arguments.items())
        super().__init__(f"the registry refused the transaction: {error_name}({args})", error=error_name)


def error_record(error: GPIDError) -> dict[str, Any]:
    """A JSON-ready record of an error, to keep in the outbox and rebuild later."""
    record: dict[str, Any] = {"type": type(error).__name__, "message": error.message, "details": dict(error.details)}
    if isinstance(error, ValidationFailed):
        record["problems"] = [p.as_dict() for p in error.problems]
    if isinstance(error, SectionImmutable):
        record["fields"] = error.fields
    return record


def error_from_record(record: dict[str, Any]) -> GPIDError:
    """Rebuilds the error an outbox entry failed with (same class, message and details)."""
    cls = globals().get(record.get("type", ""), GPIDError)
    if not (isinstance(cls, type) and issubclass(cls, GPIDError)):
        cls = GPIDError
    error = cls.__new__(cls)
    GPIDError.__init__(error, record.get("message", "refused"), **record.get("details", {}))
    if isinstance(error, ValidationFailed):
        error.problems = [FieldProblem(**p) for p in record.get("problems", [])]
    if isinstance(error, InvoiceAlreadyRegistered | UnknownGPID):
        error.gpid = record.get("details", {}).get("gpid", "")
    if isinstance(error, SectionImmutable):
        error.fields = record.get("fields", [])
    return error
