// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GPIDLib} from "./libraries/GPIDLib.sol";

/// @title IGPIDRegistry
/// @notice The Goods Passport ID registry: one immutable identity and a versioned, tamper-evident key
/// data set per commercial invoice, registered by the seller bound to the invoice's trader ID.
/// @dev Structs, events, errors and NatSpec live here so that the node's ABI decodes every revert.
/// The key data set itself travels only in calldata and in events (format-tagged payload); storage
/// keeps, per GPID, one record slot and, per version, the digest over the section commitments.
interface IGPIDRegistry {
    // ------------------------------------------------------------------ structs

    /// @notice Per-GPID state. Slot budget: issuer (20 bytes) + registeredAt (5) + version (4) +
    /// links (2) = 31 bytes, 1 slot.
    /// @dev `version` never exceeds MAX_VERSIONS and `links` never exceeds MAX_LINKS (both 100), so
    /// a uint16 holds the link count and the record stays one slot: a link writes a slot that the
    /// call has already read (warm), not a new one.
    struct Record {
        address issuer;
        uint40 registeredAt;
        uint32 version;
        uint16 links;
    }

    /// @notice One version of a key data set as the registry remembers it.
    /// @dev Version 1 stores only its digest; its author and time are the record's issuer and
    /// registeredAt. Later versions: digest (1 slot) + author, time, mask, reason code (1 slot).
    struct VersionInfo {
        bytes32 digest;
        address author;
        uint40 time;
        uint8 changedSections;
        uint16 reasonCode;
    }

    /// @notice One item of a batch registration.
    struct Registration {
        string invoiceNumber;
        GPIDLib.Commitments commitments;
        bytes payload;
    }

    // ------------------------------------------------------------------ events

    /// @notice `account` may now register key data sets under the trader ID `traderId`.
    event TraderBound(bytes32 indexed traderKey, address indexed account, string traderId);

    /// @notice `account` no longer acts for the trader whose key is `traderKey`.
    event TraderUnbound(bytes32 indexed traderKey, address indexed account);

    /// @notice The Customs account `account` acts for the administration of `country`.
    event CustomsCountrySet(address indexed account, bytes2 country);

    /// @notice A key data set was registered; `payload` is the format-tagged key data set.
    event KeyDataSetRegistered(
        bytes16 indexed gpid,
        address indexed issuer,
        bytes32 indexed sellerTraderKey,
        bytes32 invoiceKey,
        GPIDLib.Commitments commitments,
        bytes payload
    );

    /// @notice A key data set was amended to `version`; `payload` is the whole new version.
    event KeyDataSetAmended(
        bytes16 indexed gpid,
        address indexed author,
        uint32 indexed version,
        uint8 changedSections,
        uint16 reasonCode,
        string reason,
        GPIDLib.Commitments commitments,
        bytes payload
    );

    /// @notice The issuer allowed (or stopped allowing) `delegate` to amend `gpid`.
    event AmendmentDelegateSet(bytes16 indexed gpid, address indexed delegate, bool allowed);

    /// @notice `gpid` is referenced by the declaration `declarationReference` of `country`.
    /// @dev `direction` is 1 for export, 2 for import.
    event DeclarationLinked(
        bytes16 indexed gpid,
        bytes32 indexed referenceKey,
        address indexed linker,
        bytes2 country,
        uint8 direction,
        string declarationReference
    );

    /// @notice Customs of `country` checked a declaration against version `version` of `gpid`.
    /// @dev `outcome` is 1 match, 2 discrepancies, 3 integrity failure.
    event VerificationRecorded(
        bytes16 indexed gpid,
        bytes32 indexed referenceKey,
        address indexed customs,
        bytes2 country,
        uint32 version,
        uint8 outcome
    );

    // ------------------------------------------------------------------ errors

    /// @notice The caller is not bound to any trader ID.
    error TraderNotBound(address caller);
    /// @notice The account is already bound to the trader whose key is `traderKey`.
    error AccountAlreadyBound(address account, bytes32 traderKey);
    /// @notice An identifier is not in normal form (1 to 70 bytes, no lower-case ASCII, no spaces).
    error IdentifierNotNormalised(string identifier);
    /// @notice A country code is not two upper-case letters.
    error InvalidCountry(bytes2 country);
    /// @notice The invoice already has a GPID.
    error InvoiceAlreadyRegistered(bytes32 invoiceKey, bytes16 gpid);
    /// @notice No key data set has this GPID.
    error UnknownGPID(bytes16 gpid);
    /// @notice The GPID has no such version.
    error UnknownVersion(bytes16 gpid, uint32 version);
    /// @notice The commitments presented are not those of the current version.
    error CommitmentsMismatch(bytes32 expected, bytes32 given);
    /// @notice An amendment tried to change an immutable section.
    error SectionImmutable(uint8 section);
    /// @notice An amendment changes no section.
    error NothingChanged(bytes16 gpid);
    /// @notice `account` may not amend `gpid` (only its issuer and the issuer's delegates may).
    error NotAuthorisedAuthor(bytes16 gpid, address account);
    /// @notice Only the issuer of `gpid` may do this.
    error NotIssuer(bytes16 gpid, address account);
    /// @notice `account` may not link declarations to `gpid`.
    error NotAuthorisedLinker(bytes16 gpid, address account);
    /// @notice The declaration already references this GPID.
    error DeclarationAlreadyLinked(bytes16 gpid, bytes2 country, bytes32 referenceKey);
    /// @notice A direction other than 1 (export) or 2 (import).
    error InvalidDirection(uint8 direction);
    /// @notice An outcome other than 1 (match), 2 (discrepancies) or 3 (integrity failure).
    error InvalidOutcome(uint8 outcome);
    /// @notice A payload that is empty or carries the reserved format tag 0.
    error InvalidPayload(uint256 size);
    /// @notice A payload larger than the registry accepts.
    error PayloadTooLarge(uint256 size, uint256 maxSize);
    /// @notice An amendment reason longer than the registry accepts.
    error ReasonTooLong(uint256 size, uint256 maxSize);
    /// @notice `gpid` has `maxVersions` versions already, the most the registry keeps for one key
    /// data set: it cannot be amended again.
    error TooManyVersions(bytes16 gpid, uint32 maxVersions);
    /// @notice `maxLinks` declarations reference `gpid` already, the most the registry records for
    /// one key data set: no further declaration can be linked to it.
    error TooManyLinks(bytes16 gpid, uint32 maxLinks);
    /// @notice A batch without items.
    error EmptyBatch();
    /// @notice Item `index` of a batch was refused; `reason` is that item's own error.
    error BatchItemRejected(uint256 index, bytes reason);

    // ------------------------------------------------------------------ onboarding

    /// @notice Binds `account` to the trader ID `traderId` ("SCHEME:VALUE", normal form).
    /// @dev Only ONBOARDING_ROLE. An account acts for one trader at a time.
    /// @param account The account that will register for the trader.
    /// @param traderId The trader ID in normal form, e.g. "EORI:DE123456789012345".
    function bindTrader(address account, string calldata traderId) external;

    /// @notice Unbinds `account` from its trader ID (key loss, offboarding).
    /// @dev Only ONBOARDING_ROLE. GPIDs already registered keep their issuer.
    /// @param account The account to unbind.
    function unbindTrader(address account) external;

    /// @notice Grants the Customs role to `account` for the administration of `country`.
    /// @dev Only ONBOARDING_ROLE (the admin of CUSTOMS_ROLE).
    /// @param account The Customs account.
    /// @param country ISO 3166-1 alpha-2 code of its administration.
    function grantCustoms(address account, bytes2 country) external;

    // ------------------------------------------------------------------ key data sets

    /// @notice Registers the key data set of one invoice of the caller's trader.
    /// @dev Rule 1 and 3: the invoice key is derived from the caller's bound trader ID and the
    /// normalised invoice number; a second registration reverts with InvoiceAlreadyRegistered.
    /// @param invoiceNumber The invoice number in normal form.
    /// @param commitments The section commitments and the buyer's trader key.
    /// @param payload The format-tagged key data set (tag 1: deflated canonical JSON).
    /// @return gpid The GPID, equal to `gpidFor(traderKey, invoiceNumber)`.
    function register(
        string calldata invoiceNumber,
        GPIDLib.Commitments calldata commitments,
        bytes calldata payload
    ) external returns (bytes16 gpid);

    /// @notice Registers many key data sets of the caller's trader in one transaction.
    /// @dev Each item follows the rules of `register`; one refused item reverts the batch with
    /// BatchItemRejected(index, itemError).
    /// @param items The registrations.
    /// @return gpids The GPIDs, in the order of `items`.
    function registerBatch(Registration[] calldata items) external returns (bytes16[] memory gpids);

    /// @notice Amends a key data set to a new version.
    /// @dev Rule 4: only the issuer and its delegates; at most MAX_VERSIONS versions in all (else
    /// TooManyVersions); `previous` must hash to the current digest; the identity section is
    /// immutable; at least one section must change.
    /// @param gpid The key data set.
    /// @param previous The commitments of the current version.
    /// @param next The commitments of the new version.
    /// @param reasonCode The reason category (1 correction, 2 price, 3 quantity, 4 parties, 5 other).
    /// @param reason The reason in words, at most MAX_REASON_BYTES bytes.
    /// @param payload The whole new version, format-tagged.
    /// @return version The new version number.
    function amend(
        bytes16 gpid,
        GPIDLib.Commitments calldata previous,
        GPIDLib.Commitments calldata next,
        uint16 reasonCode,
        string calldata reason,
        bytes calldata payload
    ) external returns (uint32 version);

    /// @notice Allows or disallows `delegate` to amend `gpid`.
    /// @dev Only the issuer.
    /// @param gpid The key data set.
    /// @param delegate The account.
    /// @param allowed True to allow, false to withdraw.
    function setAmendmentDelegate(bytes16 gpid, address delegate, bool allowed) external;

    // ------------------------------------------------------------------ declarations and checks

    /// @notice Records that the declaration `declarationReference` of `country` references `gpid`.
    /// @dev Brokers and the issuer. Each (gpid, country, declarationReference) once only; at most
    /// MAX_LINKS declarations per GPID (else TooManyLinks).
    /// @param gpid The key data set.
    /// @param declarationReference The declaration declaration reference (e.g. an MRN) in normal form.
    /// @param country The declaring country.
    /// @param direction 1 export, 2 import.
    function linkDeclaration(bytes16 gpid, string calldata declarationReference, bytes2 country, uint8 direction) external;

    /// @notice As `linkDeclaration`, by the buyer, who proves it is the buyer with the current commitments.
    /// @dev The caller's trader key must equal `current.buyerTraderKey`, and `current` must hash to
    /// the current digest. Counts against the same MAX_LINKS as `linkDeclaration`.
    /// @param gpid The key data set.
    /// @param current The commitments of the current version.
    /// @param declarationReference The declaration declarationReference in normal form.
    /// @param country The declaring country.
    /// @param direction 1 export, 2 import.
    function linkDeclarationAsBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        string calldata declarationReference,
        bytes2 country,
        uint8 direction
    ) external;

    /// @notice Records the outcome of a Customs check of a declaration against `gpid`.
    /// @dev Only CUSTOMS_ROLE; the country is the caller's administration.
    /// @param gpid The key data set.
    /// @param declarationReference The declaration declarationReference in normal form.
    /// @param version The version the declaration was checked against.
    /// @param outcome 1 match, 2 discrepancies, 3 integrity failure.
    function recordVerification(bytes16 gpid, string calldata declarationReference, uint32 version, uint8 outcome) external;

    // ------------------------------------------------------------------ views

    /// @notice The GPID that the invoice `invoiceNumber` of trader `traderKey` has or will have.
    /// @param sellerTraderKey The seller's trader key.
    /// @param invoiceNumber The invoice number in normal form.
    /// @return The GPID.
    function gpidFor(bytes32 sellerTraderKey, string calldata invoiceNumber) external view returns (bytes16);

    /// @notice The per-GPID record (issuer zero when unknown): issuer, registration time, current
    /// version and the number of declarations linked.
    /// @param gpid The key data set.
    /// @return The record.
    function recordOf(bytes16 gpid) external view returns (Record memory);

    /// @notice One version of a key data set.
    /// @param gpid The key data set.
    /// @param version From 1 to the record's version.
    /// @return The version.
    function versionOf(bytes16 gpid, uint32 version) external view returns (VersionInfo memory);

    /// @notice The trader key the account is bound to (zero when unbound).
    /// @param account The account.
    /// @return The trader key.
    function traderKeyOf(address account) external view returns (bytes32);

    /// @notice The country of a Customs account (zero when none).
    /// @param account The account.
    /// @return The country code.
    function customsCountryOf(address account) external view returns (bytes2);

    /// @notice Whether `account` may amend `gpid` as a delegate of its issuer.
    /// @param gpid The key data set.
    /// @param account The account.
    /// @return True when delegated.
    function isAmendmentDelegate(bytes16 gpid, address account) external view returns (bool);

    /// @notice Whether the declaration already references `gpid`.
    /// @param gpid The key data set.
    /// @param country The declaring country.
    /// @param declarationReference The declaration declarationReference in normal form.
    /// @return True when linked.
    function isLinked(bytes16 gpid, bytes2 country, string calldata declarationReference) external view returns (bool);
}
