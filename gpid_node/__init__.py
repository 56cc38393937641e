"""GPID node: the Goods Passport ID key data set registry, anchored on an EVM chain.

The public face of the package, for a program that builds, checks or reads key data sets: the key
data set model and its parser, the GPID codec, and the errors a client may meet (the tree is drawn
in :mod:`gpid_node.domain.errors`). Everything else (``services``, ``chain``, ``store``, ``api``)
is the node's own and free to change. Importing this package imports the pure domain modules only
(no web3, no database, no web framework).
"""

from gpid_node.domain.errors import (
    AlreadyGranted,
    ChainRejected,
    ChainUnavailable,
    CommitmentsMismatch,
    Conflict,
    DeclarationAlreadyLinked,
    DeclarationNotLinked,
    FieldProblem,
    GPIDError,
    InvalidDisclosure,
    InvalidGPID,
    InvoiceAlreadyRegistered,
    NoEncryptionKey,
    NotAuthorisedAuthor,
    NotAuthorisedLinker,
    NotBuyer,
    NotFound,
    NotGranted,
    NothingChanged,
    NotSeller,
    PermissionDenied,
    SectionImmutable,
    StoreUnavailable,
    TooManyLinks,
    TooManyVersions,
    TraderNotBound,
    UnknownDeclaration,
    UnknownGPID,
    ValidationFailed,
    WrongFormat,
    WrongKeyId,
)
from gpid_node.domain.gpid import GPID
from gpid_node.domain.model import Address, GoodsLine, Invoice, KeyDataSet, Party, TraderId, parse_key_data_set

__version__ = "0.1.0"
__all__ = [
    "GPID",
    "Address",
    "AlreadyGranted",
    "ChainRejected",
    "ChainUnavailable",
    "CommitmentsMismatch",
    "Conflict",
    "DeclarationAlreadyLinked",
    "DeclarationNotLinked",
    "FieldProblem",
    "GPIDError",
    "GoodsLine",
    "InvalidDisclosure",
    "InvalidGPID",
    "Invoice",
    "InvoiceAlreadyRegistered",
    "KeyDataSet",
    "NoEncryptionKey",
    "NotAuthorisedAuthor",
    "NotAuthorisedLinker",
    "NotBuyer",
    "NotFound",
    "NotGranted",
    "NotSeller",
    "NothingChanged",
    "Party",
    "PermissionDenied",
    "SectionImmutable",
    "StoreUnavailable",
    "TooManyLinks",
    "TooManyVersions",
    "TraderId",
    "TraderNotBound",
    "UnknownDeclaration",
    "UnknownGPID",
    "ValidationFailed",
    "WrongFormat",
    "WrongKeyId",
    "__version__",
    "parse_key_data_set",
]
