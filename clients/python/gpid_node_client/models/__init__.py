"""Contains all the data models used in inputs/outputs"""

from .address import Address
from .amended import Amended
from .amended_status import AmendedStatus
from .amendment_request import AmendmentRequest
from .amendment_request_changes import AmendmentRequestChanges
from .amendment_request_reason_code import AmendmentRequestReasonCode
from .catalogue_item import CatalogueItem
from .catalogue_list import CatalogueList
from .check import Check
from .create_disclosure_response_201 import CreateDisclosureResponse201
from .create_disclosure_response_201_column_seeds import CreateDisclosureResponse201ColumnSeeds
from .create_disclosure_response_201_fields import CreateDisclosureResponse201Fields
from .create_disclosure_response_201_format import CreateDisclosureResponse201Format
from .create_disclosure_response_201_proofs import CreateDisclosureResponse201Proofs
from .create_disclosure_response_201_roots import CreateDisclosureResponse201Roots
from .create_disclosure_response_201_salts import CreateDisclosureResponse201Salts
from .created_webhook import CreatedWebhook
from .customs_grant import CustomsGrant
from .customs_grant_error_type_0 import CustomsGrantErrorType0
from .customs_outcome import CustomsOutcome
from .declaration import Declaration
from .declaration_direction import DeclarationDirection
from .declaration_gpid import DeclarationGPID
from .declaration_view import DeclarationView
from .declared_item import DeclaredItem
from .delivery import Delivery
from .delivery_page import DeliveryPage
from .derived import Derived
from .derived_key_data_set import DerivedKeyDataSet
from .derived_kind import DerivedKind
from .derived_sources import DerivedSources
from .disclosure_request import DisclosureRequest
from .discrepancy import Discrepancy
from .e_invoice_source import EInvoiceSource
from .end_mandate_direction import EndMandateDirection
from .erasure_mark import ErasureMark
from .event import Event
from .event_data import EventData
from .event_page import EventPage
from .export_key_data_sets_format import ExportKeyDataSetsFormat
from .export_key_data_sets_response_200 import ExportKeyDataSetsResponse200
from .field_error import FieldError
from .freshness import Freshness
from .goods_line import GoodsLine
from .gpid_declaration import GPIDDeclaration
from .gpid_declarations import GPIDDeclarations
from .grant_entry import GrantEntry
from .grant_list import GrantList
from .grant_request import GrantRequest
from .granted import Granted
from .granted_status import GrantedStatus
from .health import Health
from .history import History
from .integrity import Integrity
from .integrity_checked_against import IntegrityCheckedAgainst
from .invoice import Invoice
from .key_data_set import KeyDataSet
from .key_data_set_list import KeyDataSetList
from .key_data_set_summary import KeyDataSetSummary
from .key_data_set_view import KeyDataSetView
from .link import Link
from .link_error_type_0 import LinkErrorType0
from .link_request import LinkRequest
from .link_request_direction import LinkRequestDirection
from .linked import Linked
from .linked_direction import LinkedDirection
from .mandate_entry import MandateEntry
from .mandate_entry_direction import MandateEntryDirection
from .mandate_list import MandateList
from .mandate_request import MandateRequest
from .mandate_request_direction import MandateRequestDirection
from .mandate_written import MandateWritten
from .mandate_written_direction import MandateWrittenDirection
from .master_data_imported import MasterDataImported
from .missing_field import MissingField
from .partner_list import PartnerList
from .partner_view import PartnerView
from .party import Party
from .problem import Problem
from .problem_type_list import ProblemTypeList
from .problem_type_view import ProblemTypeView
from .proof_bundle import ProofBundle
from .proof_bundle_block import ProofBundleBlock
from .proof_bundle_block_header import ProofBundleBlockHeader
from .proof_bundle_commitments import ProofBundleCommitments
from .proof_bundle_opening import ProofBundleOpening
from .proof_bundle_payload_format import ProofBundlePayloadFormat
from .proof_bundle_proof import ProofBundleProof
from .proof_bundle_storage import ProofBundleStorage
from .put_item_body import PutItemBody
from .put_partner_body import PutPartnerBody
from .put_partner_body_trader_id import PutPartnerBodyTraderId
from .put_partner_body_trader_id_scheme import PutPartnerBodyTraderIdScheme
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .readiness_status import ReadinessStatus
from .replay_request import ReplayRequest
from .revoked import Revoked
from .submission import Submission
from .submission_error_type_0 import SubmissionErrorType0
from .submission_status import SubmissionStatus
from .trader_id import TraderId
from .trader_id_scheme import TraderIdScheme
from .trader_id_view import TraderIdView
from .verdict import Verdict
from .verdict_fields_type_0 import VerdictFieldsType0
from .verification import Verification
from .verification_request import VerificationRequest
from .verification_result import VerificationResult
from .verified_gpid import VerifiedGPID
from .verified_gpid_amendments_item import VerifiedGPIDAmendmentsItem
from .verified_gpid_integrity import VerifiedGPIDIntegrity
from .verified_gpid_other_declarations_item import VerifiedGPIDOtherDeclarationsItem
from .verify_disclosure_json_body import VerifyDisclosureJsonBody
from .verify_disclosure_json_body_column_seeds import VerifyDisclosureJsonBodyColumnSeeds
from .verify_disclosure_json_body_fields import VerifyDisclosureJsonBodyFields
from .verify_disclosure_json_body_format import VerifyDisclosureJsonBodyFormat
from .verify_disclosure_json_body_proofs import VerifyDisclosureJsonBodyProofs
from .verify_disclosure_json_body_roots import VerifyDisclosureJsonBodyRoots
from .verify_disclosure_json_body_salts import VerifyDisclosureJsonBodySalts
from .version_entry import VersionEntry
from .webhook import Webhook
from .webhook_list import WebhookList
from .webhook_request import WebhookRequest
from .written import Written
from .written_status import WrittenStatus

__all__ = (
    "Address",
    "Amended",
    "AmendedStatus",
    "AmendmentRequest",
    "AmendmentRequestChanges",
    "AmendmentRequestReasonCode",
    "CatalogueItem",
    "CatalogueList",
    "Check",
    "CreateDisclosureResponse201",
    "CreateDisclosureResponse201ColumnSeeds",
    "CreateDisclosureResponse201Fields",
    "CreateDisclosureResponse201Format",
    "CreateDisclosureResponse201Proofs",
    "CreateDisclosureResponse201Roots",
    "CreateDisclosureResponse201Salts",
    "CreatedWebhook",
    "CustomsGrant",
    "CustomsGrantErrorType0",
    "CustomsOutcome",
    "Declaration",
    "DeclarationDirection",
    "DeclarationGPID",
    "DeclarationView",
    "DeclaredItem",
    "Delivery",
    "DeliveryPage",
    "Derived",
    "DerivedKeyDataSet",
    "DerivedKind",
    "DerivedSources",
    "DisclosureRequest",
    "Discrepancy",
    "EInvoiceSource",
    "EndMandateDirection",
    "ErasureMark",
    "Event",
    "EventData",
    "EventPage",
    "ExportKeyDataSetsFormat",
    "ExportKeyDataSetsResponse200",
    "FieldError",
    "Freshness",
    "GPIDDeclaration",
    "GPIDDeclarations",
    "GoodsLine",
    "GrantEntry",
    "GrantList",
    "GrantRequest",
    "Granted",
    "GrantedStatus",
    "Health",
    "History",
    "Integrity",
    "IntegrityCheckedAgainst",
    "Invoice",
    "KeyDataSet",
    "KeyDataSetList",
    "KeyDataSetSummary",
    "KeyDataSetView",
    "Link",
    "LinkErrorType0",
    "LinkRequest",
    "LinkRequestDirection",
    "Linked",
    "LinkedDirection",
    "MandateEntry",
    "MandateEntryDirection",
    "MandateList",
    "MandateRequest",
    "MandateRequestDirection",
    "MandateWritten",
    "MandateWrittenDirection",
    "MasterDataImported",
    "MissingField",
    "PartnerList",
    "PartnerView",
    "Party",
    "Problem",
    "ProblemTypeList",
    "ProblemTypeView",
    "ProofBundle",
    "ProofBundleBlock",
    "ProofBundleBlockHeader",
    "ProofBundleCommitments",
    "ProofBundleOpening",
    "ProofBundlePayloadFormat",
    "ProofBundleProof",
    "ProofBundleStorage",
    "PutItemBody",
    "PutPartnerBody",
    "PutPartnerBodyTraderId",
    "PutPartnerBodyTraderIdScheme",
    "Readiness",
    "ReadinessChecks",
    "ReadinessStatus",
    "ReplayRequest",
    "Revoked",
    "Submission",
    "SubmissionErrorType0",
    "SubmissionStatus",
    "TraderId",
    "TraderIdScheme",
    "TraderIdView",
    "Verdict",
    "VerdictFieldsType0",
    "Verification",
    "VerificationRequest",
    "VerificationResult",
    "VerifiedGPID",
    "VerifiedGPIDAmendmentsItem",
    "VerifiedGPIDIntegrity",
    "VerifiedGPIDOtherDeclarationsItem",
    "VerifyDisclosureJsonBody",
    "VerifyDisclosureJsonBodyColumnSeeds",
    "VerifyDisclosureJsonBodyFields",
    "VerifyDisclosureJsonBodyFormat",
    "VerifyDisclosureJsonBodyProofs",
    "VerifyDisclosureJsonBodyRoots",
    "VerifyDisclosureJsonBodySalts",
    "VersionEntry",
    "Webhook",
    "WebhookList",
    "WebhookRequest",
    "Written",
    "WrittenStatus",
)
