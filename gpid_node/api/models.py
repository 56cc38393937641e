"""The shapes of requests and answers, as the published OpenAPI describes them.

DESIGN.md fixes the members clients rely on; answers may carry more (the models allow extra
members, and the schema says so). The key data set itself is described by the domain model
(:class:`gpid_node.domain.model.KeyDataSet`), published as the ``KeyDataSet`` schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    """An answer: the listed members always, possibly more."""

    model_config = ConfigDict(extra="allow")


class _Closed(BaseModel):
    """A request: unknown members are refused."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------- problems


class FieldError(_Open):
    path: str = Field(description="where, e.g. `goods[0].hs_code` (empty for the whole body)")
    message: str = Field(description="what is wrong and what is accepted")


class Problem(_Open):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(description="a URI naming the kind of problem, e.g. https://gpid.dev/problems/unknown-gpid")
    title: str
    status: int
    detail: str = Field(description="what went wrong and what to do next")
    instance: str | None = Field(None, description="the request path")
    request_id: str | None = Field(None, description="find the request in the node's log with it")
    errors: list[FieldError] | None = Field(None, description="every field problem at once (422)")
    gpid: str | None = Field(None, description="the existing GPID (invoice already registered)")


# ---------------------------------------------------------------------- writes


class Written(_Open):
    """A write the node accepted: mined (201) or still on its way (202, follow ``Location``)."""

    gpid: str
    version: int = Field(ge=1)
    transaction: str | None = Field(description="transaction hash (null while not yet sent)")
    block: int | None = Field(description="block number (null while not yet mined)")
    status: Literal["registered", "amended", "pending"]
    submission: int = Field(description="the outbox entry: GET /v1/submissions/{submission}")


class Amended(Written):
    changed_fields: list[str] = Field(description="paths of the fields this amendment changes")


class AmendmentRequest(_Closed):
    changes: dict[str, Any] = Field(
        description="a JSON merge patch (RFC 7396) applied to the current key data set; "
        "seller.trader_id, invoice.number and invoice.date never change"
    )
    reason: str = Field(min_length=1, max_length=500, description="why the key data set changes")
    reason_code: Literal["correction", "price", "quantity", "parties", "other"] = "correction"


class LinkRequest(_Closed):
    reference: str = Field(min_length=1, max_length=70, description="the declaration's reference (e.g. an MRN)")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 of the Customs administration")
    direction: Literal["export", "import"]
    gpids: list[str] = Field(min_length=1, max_length=100, description="the GPIDs the declaration references")


class Link(_Open):
    gpid: str | None
    status: str
    transaction: str | None = None
    block: int | None = None
    error: dict[str, Any] | None = None
    submission: int | None = None


class CustomsGrant(Link):
    grantee: str | None = Field(None, description="the Customs account given access")


class Linked(_Open):
    reference: str
    country: str
    direction: Literal["export", "import"]
    links: list[Link]
    customs_grants: list[CustomsGrant] = Field(
        default_factory=list,
        description="encrypted key data sets whose seller or buyer links a declaration of a country whose Customs "
        "received no content key at registration are granted to that country's Customs accounts in the same step",
    )


# ---------------------------------------------------------------------- reads


class Integrity(_Open):
    verified: bool = Field(description="the version is proven against the digest the registry holds")
    checked_against: Literal["chain", "index"] = Field(
        description="`chain` when the proof was made against the registry now, `index` when the chain was unreachable"
    )


class EInvoiceSource(_Open):
    syntax: str = Field(description="UBL or CII")
    customization: str = Field(description="the specification identifier (BT-24), e.g. Peppol BIS Billing 3.0's")
    sha256: str = Field(description="SHA-256 (hex) of the document as received: the XML, or the Factur-X PDF")


class Freshness(_Open):
    indexed_block: int | None
    head_block: int | None
    lag_blocks: int | None
    chain_reachable: bool


class ErasureMark(_Open):
    erased_at: datetime = Field(description="when this node's operator erased the data (gpid-node erase)")
    reason: str = Field(description="why, as the operator recorded it")


class KeyDataSetView(_Open):
    gpid: str
    version: int
    current_version: int
    data: dict[str, Any] | None = Field(
        description="the key data set (schema KeyDataSet), normalised; null when only its public facts are shown "
        "(the operator role, or a format-2 key data set this node holds no key for)"
    )
    format: int | None = Field(default=None, description="the payload format on chain: 1 plain, 2 encrypted")
    readable: bool | None = Field(default=None, description="whether `data` holds the key data set in this answer")
    integrity: Integrity
    registered_at: datetime | None
    updated_at: datetime | None
    issuer: str | None = None
    source: EInvoiceSource | None = Field(
        default=None, description="the e-invoice this version was derived from (kept inside its encrypted payload); "
        "null when it was not derived from one, or when `data` is not shown"
    )
    erasure: ErasureMark | None = Field(
        default=None, description="set when this node erased the key data set's data (crypto-shredding): only its public "
        "facts are shown here, whoever asks; other recipients' nodes keep their copies"
    )
    freshness: Freshness | None = None


class KeyDataSetSummary(_Open):
    gpid: str
    version: int
    invoice_number: str | None
    seller_trader_id: str | None
    buyer_trader_id: str | None
    registered_at: datetime | None
    updated_at: datetime | None
    integrity_ok: bool
    format: int | None = Field(default=None, description="the payload format on chain: 1 plain, 2 encrypted")
    readable: bool | None = Field(default=None, description="whether you may see its data and this node can read it")


class KeyDataSetList(_Open):
    items: list[KeyDataSetSummary]
    total: int
    limit: int
    offset: int


class VersionEntry(_Open):
    version: int
    author: str
    time: datetime | None
    reason: str | None
    changed_fields: list[str] | None


class History(_Open):
    gpid: str
    versions: list[VersionEntry]


class DeclarationGPID(_Open):
    gpid: str
    direction: str
    linker: str
    linked_at: datetime | None
    transaction: str | None
    block: int | None


class DeclarationView(_Open):
    country: str
    reference: str
    direction: str
    gpids: list[DeclarationGPID]


class Discrepancy(_Open):
    goods_sequence: int | None
    field: str
    declared: Any
    registered: Any


class VerifiedGPID(_Open):
    gpid: str
    integrity: dict[str, Any]
    version_at_filing: int | None
    amended_after_filing: bool
    amendments: list[dict[str, Any]]
    other_declarations: list[dict[str, Any]]
    discrepancies: list[Discrepancy]
    outcome_recorded: bool = Field(
        False,
        description="Customs' outcome for this GPID is being recorded on chain (an encrypted key data set's "
        "outcome only when this declaration is linked to it; `outcome_not_recorded` says why not)",
    )


class Verification(_Open):
    result: Literal["match", "discrepancies", "integrity_failure", "unknown_gpid"]
    gpids: list[VerifiedGPID]


class Submission(_Open):
    submission: int
    status: Literal["pending", "sent", "mined", "failed"]
    gpid: str | None = None
    transaction: str | None = None
    block: int | None = None
    error: dict[str, Any] | None = None


# ---------------------------------------------------------------------- operations


class Health(_Open):
    status: Literal["ok"]


class Check(_Open):
    ok: bool
    detail: str


class Readiness(_Open):
    status: Literal["ready", "not_ready"]
    reasons: list[str] = Field(description="why the node is not ready (empty when ready)")
    checks: dict[str, Check]


# ---------------------------------------------------------------------- grants and mandates

ACCOUNT_PATTERN = r"^0x[0-9a-fA-F]{40}$"


class GrantRequest(_Closed):
    grantee: str = Field(pattern=ACCOUNT_PATTERN, description="the account given access (it must have published an encryption key)")
    reason: str = Field(
        min_length=1, max_length=500,
        description="why the account is given access; kept by this node with the request, never put on chain",
    )  # fmt: skip


class Granted(_Open):
    gpid: str
    grantee: str
    transaction: str | None = Field(description="transaction hash (null while not yet sent)")
    block: int | None = Field(description="block number (null while not yet mined)")
    status: Literal["granted", "pending"]
    submission: int = Field(description="the outbox entry: GET /v1/submissions/{submission}")


class GrantEntry(_Open):
    grantee: str
    granter: str = Field(description="the account that granted")
    active: bool = Field(description="false once revoked (what was shared stays shared)")
    granted_at: str
    revoked_at: str | None
    transaction: str = Field(description="the grant's transaction")


class GrantList(_Open):
    gpid: str
    items: list[GrantEntry]


class Revoked(_Open):
    gpid: str
    grantee: str
    revoked: bool
    transaction: str | None
    block: int | None
    note: str = Field(description="what a revocation ends, and what stays shared")


class MandateRequest(_Closed):
    agent: str = Field(pattern=ACCOUNT_PATTERN, description="the agent's account (e.g. your export broker)")
    direction: Literal["export", "import"] = Field(description="the declarations the agent may link for you")


class MandateWritten(_Open):
    agent: str
    direction: Literal["export", "import"]
    active: bool
    transaction: str | None
    block: int | None


class MandateEntry(_Open):
    agent: str
    direction: Literal["export", "import"]
    since: str


class MandateList(_Open):
    items: list[MandateEntry]


# ---------------------------------------------------------------------- proof bundles


class ProofBundleBlock(_Open):
    number: int
    hash: str = Field(description="the block hash the auditor must trust (obtained elsewhere: its own node, an explorer)")
    header: dict[str, str] = Field(description="the header fields the block hash covers, as the JSON-RPC gives them")


class ProofBundle(_Open):
    """``gpid-proof-bundle/1``: one version with its opening, proven against one block (docs/protocol.md)."""

    format: Literal["gpid-proof-bundle/1"]
    chain_id: int
    registry: str
    gpid: str
    version: int
    payload_format: Literal[1, 2]
    data: dict[str, Any] = Field(description="the key data set of this version (schema KeyDataSet)")
    opening: dict[str, str] = Field(description='`{"seed": ...}` (format 2: the GPID\'s seed) or `{"salt": ...}` (format 1)')
    commitments: dict[str, str] = Field(description="identity, seller, buyer, goods, buyer_trader_key: GPIDLib.Commitments")
    digest: str = Field(description="keccak256 of the commitments: what the registry stores for the version")
    storage: dict[str, str] = Field(description="the registry's storage slots of the version's digest and of the GPID's record")
    block: ProofBundleBlock
    proof: dict[str, Any] = Field(description="eth_getProof(registry, [digest slot, record slot], block) as the JSON-RPC gives it")


# ---------------------------------------------------------------------- e-invoices and master data


class MissingField(_Open):
    path: str = Field(description="the key data set field, e.g. goods[1].hs_code")
    message: str = Field(description="why it is missing or invalid, and what would fill it")


class Derived(_Open):
    key_data_set: dict[str, Any] = Field(description="the draft key data set (fields nobody supplied are absent)")
    missing: list[MissingField] = Field(description="every field missing or invalid; empty when the draft registers as it is")
    source: EInvoiceSource
    sources: dict[str, str] = Field(description="field path -> where its value came from: invoice, catalogue, partners or account")
    kind: Literal["invoice", "credit_note", "corrective"] = Field(
        description="a credit note or corrective invoice amends the invoice it corrects instead of registering"
    )
    corrects: list[str] = Field(description="the invoice numbers a credit note or corrective invoice refers to (BT-25)")


class CatalogueItem(_Open):
    item_id: str
    hs_code: str | None
    country_of_origin: str | None
    preferential_origin: str | None
    net_mass_kg_per_unit: str | None = Field(description="kg per invoiced unit, exact decimal as text")
    packages_per_unit: str | None = Field(description="packages per invoiced unit (the derivation rounds the total up)")
    updated_at: datetime


class CatalogueList(_Open):
    items: list[CatalogueItem]
    total: int
    limit: int
    offset: int


class TraderIdView(_Open):
    scheme: str
    value: str


class PartnerView(_Open):
    partner_id: str = Field(description="the customer's VAT id or party id, as the invoices give it")
    trader_id: TraderIdView
    updated_at: datetime


class PartnerList(_Open):
    items: list[PartnerView]
    total: int
    limit: int
    offset: int


class MasterDataImported(_Open):
    read: int = Field(description="entries in the file")
    created: int
    replaced: int


# ---------------------------------------------------------------------- clearance feedback (issue 22)


class CustomsOutcome(_Open):
    outcome: str = Field(description="`match`, `discrepancies` or `integrity_failure`")
    version: int = Field(description="the version of the key data set Customs checked the declaration against")
    country: str = Field(description="the country of the Customs administration that recorded it")
    time: datetime | None = Field(description="when it was recorded on chain (the block's time)")


class GPIDDeclaration(_Open):
    reference: str
    country: str
    direction: str = Field(description="`export` or `import`")
    linked_at: datetime | None
    linked_by: str = Field(description="the account that linked the declaration to the GPID")
    verifications: list[CustomsOutcome] = Field(description="the outcomes Customs recorded for this declaration, in chain order")


class GPIDDeclarations(_Open):
    gpid: str
    items: list[GPIDDeclaration] = Field(description="the declarations referencing the GPID, in the order they were linked")
