// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GPIDLib} from "./libraries/GPIDLib.sol";

/// @title IGPIDRegistry
/// @notice The Goods Passport ID registry: one immutable identity and a versioned, tamper-evident key
/// data set per commercial invoice, registered by the seller bound to the invoice's trader ID.
/// @dev Structs, events, errors and NatSpec live here so that the node's ABI decodes every revert.
/// The key data set itself travels only in calldata (the format-tagged payload argument of
/// `register`, `registerBatch` and `amend`); the events carry `keccak256(payload)`, which names the
/// payload in the transaction's input (or, for a call relayed by another contract, in the call's
/// trace). Storage keeps, per GPID, one record slot and, per version, the digest over the section
/// commitments.
interface IGPIDRegistry {
    // ------------------------------------------------------------------ structs

    /// @notice Per-GPID state. Slot budget: issuer (20 bytes) + registeredAt (5) + version (4) +
    /// links (2) + format (1) = 32 bytes, 1 slot.
    /// @dev `version` never exceeds MAX_VERSIONS and `links` never exceeds MAX_LINKS (both 100), so
    /// a uint16 holds the link count and the record stays one slot: a link writes a slot that the
    /// call has already read (warm), not a new one. `format` is the registration payload's tag (1
    /// plain, 2 confidential) and decides which rules apply. The seller's trader key is not stored
    /// here (it would take a second slot, 22,100 gas per registration): it is the trader key the
    /// issuer account was bound to, which the registry keeps per account for good
    /// (`sellerTraderKeyOf`). Every right of the seller (amend, grant, revoke, set delegates, link a
    /// format-2 GPID) is checked against the caller's binding *now*, never against `issuer`, which
    /// stays as the author of version 1.
    struct Record {
        address issuer;
        uint40 registeredAt;
        uint32 version;
        uint16 links;
        uint8 format;
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
    /// @dev `invoiceKey` as for `register`: the seller node's keyed hash of the invoice number, never
    /// the number itself.
    struct Registration {
        bytes32 invoiceKey;
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

    /// @notice A key data set was registered; `payloadHash` is keccak256 of its format-tagged payload.
    /// @dev `registryKey` is the invoice's key in the registry, `GPIDLib.registryKey(sellerTraderKey,
    /// invoiceKey)`, from which the GPID derives (`GPIDLib.gpidOf`); it is unique per GPID. The
    /// invoice key the seller sent is not repeated here (it is in the calldata), and the invoice
    /// number appears nowhere on chain but inside the payload. The payload itself is not in the event (each byte of event data costs 8 gas on top of
    /// the 16 its calldata byte already paid): it is the `payload` argument of the `register` or
    /// `registerBatch` call that emitted the event, in the transaction's input when the transaction
    /// called the registry, else in the call trace of the transaction (a relaying contract).
    event KeyDataSetRegistered(
        bytes16 indexed gpid,
        address indexed issuer,
        bytes32 indexed sellerTraderKey,
        bytes32 registryKey,
        GPIDLib.Commitments commitments,
        bytes32 payloadHash
    );

    /// @notice A key data set was amended to `version`; `payloadHash` is keccak256 of the whole new
    /// version's format-tagged payload.
    /// @dev As for KeyDataSetRegistered, the payload is the `payload` argument of the `amend` call
    /// that emitted the event (the transaction's input, or its call trace when relayed).
    event KeyDataSetAmended(
        bytes16 indexed gpid,
        address indexed author,
        uint32 indexed version,
        uint8 changedSections,
        uint16 reasonCode,
        string reason,
        GPIDLib.Commitments commitments,
        bytes32 payloadHash
    );

    /// @notice An account of the seller of `gpid` allowed (or stopped allowing) `delegate` to amend it.
    /// @dev Indexed by GPID and delegate. The appointing account is the transaction's sender; the
    /// delegation lasts while that account stays bound to the seller's trader ID (see
    /// `setAmendmentDelegate`).
    event AmendmentDelegateSet(bytes16 indexed gpid, address indexed delegate, bool allowed);

    /// @notice `account` published the X25519 public key `publicKey`, whose id is `keyId`.
    /// @dev `keyId = keccak256(publicKey)`. A later event for the same account is a rotation: the
    /// old key ids stay in these events, so old wrapped keys remain attributable.
    event EncryptionKeyPublished(address indexed account, bytes32 indexed keyId, bytes32 publicKey);

    /// @notice `granter` gave `grantee` access to the format-2 key data set `gpid`.
    /// @dev `wrappedKey` is the GPID's content key wrapped for the grantee's current encryption key
    /// (112 bytes: keyId, HPKE enc, ciphertext); the grantee may now also link declarations to `gpid`.
    event AccessGranted(bytes16 indexed gpid, address indexed grantee, address granter, bytes wrappedKey);

    /// @notice `revoker` ended the grant of `grantee` for `gpid`.
    /// @dev Ends the right to link; the content key already shared stays shared.
    event AccessRevoked(bytes16 indexed gpid, address indexed grantee, address revoker);

    /// @notice The trader whose key is `traderKey` gave (`active`) or withdrew a standing mandate to
    /// `agent` for `direction` (1 export, 2 import).
    event MandateSet(bytes32 indexed traderKey, address indexed agent, uint8 direction, bool active);

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
    /// @notice The account acted for the trader whose key is `traderKey` before; it can never act for
    /// another trader (its key data sets stay that trader's).
    error AccountOfAnotherTrader(address account, bytes32 traderKey);
    /// @notice An identifier is not in normal form (1 to 70 bytes, no lower-case ASCII, no spaces).
    error IdentifierNotNormalised(string identifier);
    /// @notice A country code is not two upper-case letters.
    error InvalidCountry(bytes2 country);
    /// @notice The invoice already has a GPID: the caller's trader registered `invoiceKey` before, as `gpid`.
    error InvoiceAlreadyRegistered(bytes32 invoiceKey, bytes16 gpid);
    /// @notice The invoice key is zero (no invoice has it: a node that forgot to derive it).
    error InvalidInvoiceKey(bytes32 invoiceKey);
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
    /// @notice `account` may not amend `gpid` (only an account bound now to its seller trader ID and
    /// the delegates such an account appointed may).
    error NotAuthorisedAuthor(bytes16 gpid, address account);
    /// @notice Only an account bound now to the seller trader ID of `gpid` may do this; `account` is
    /// not (never was, or was unbound).
    error NotSeller(bytes16 gpid, address account);
    /// @notice `account` failed to prove it is the buyer of `gpid`: its trader key, salted with the
    /// `buyerSalt` it presented, does not open the buyer commitment of the current version.
    error NotBuyer(bytes16 gpid, address account);
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
    /// @notice A payload whose format tag is neither 1 (plain) nor 2 (confidential).
    error UnsupportedPayloadFormat(uint8 format);
    /// @notice A format-2 payload shorter than its header, its `recipientCount` recipient keys, the
    /// nonce and the AEAD tag need: `2 + 88 * recipientCount + 12 + 16` bytes.
    error PayloadTooShort(uint256 size, uint256 minSize);
    /// @notice An amendment payload of another format than the key data set's.
    error PayloadFormatMismatch(bytes16 gpid, uint8 expected, uint8 given);
    /// @notice The operation exists only for key data sets of format `required`; `gpid` has `format`.
    error WrongFormat(bytes16 gpid, uint8 format, uint8 required);
    /// @notice The zero public key is not an encryption key.
    error InvalidEncryptionKey(address account, bytes32 publicKey);
    /// @notice `account` has published no encryption key, so nothing can be wrapped for it.
    error NoEncryptionKey(address account);
    /// @notice A wrapped key for `account` is tagged `given` but its current key id is `expected`.
    error WrongKeyId(address account, bytes32 expected, bytes32 given);
    /// @notice A wrapped key of `size` bytes; exactly `expectedSize` (112) are accepted.
    error InvalidWrappedKey(uint256 size, uint256 expectedSize);
    /// @notice `grantee` holds an active grant for `gpid` already.
    error AlreadyGranted(bytes16 gpid, address grantee);
    /// @notice `grantee` holds no active grant for `gpid`.
    error NotGranted(bytes16 gpid, address grantee);
    /// @notice The Customs declaration (`country`, `referenceKey`) is not linked to the format-2 `gpid`.
    /// @dev `country` is the caller's administration: Customs records outcomes only for its own
    /// country's declarations linked to the GPID.
    error DeclarationNotLinked(bytes16 gpid, bytes2 country, bytes32 referenceKey);
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
    /// @dev Only ONBOARDING_ROLE. An account acts for one trader at a time, and for one trader in
    /// its life: an account once bound to another trader ID is refused (AccountOfAnotherTrader),
    /// because the seller of the GPIDs it registered is the trader it was bound to. Rebinding an
    /// account to its own trader ID again is allowed.
    /// @param account The account that will register for the trader.
    /// @param traderId The trader ID in normal form, e.g. "EORI:DE123456789012345".
    function bindTrader(address account, string calldata traderId) external;

    /// @notice Unbinds `account` from its trader ID (key loss, offboarding).
    /// @dev Only ONBOARDING_ROLE. GPIDs already registered keep their issuer as the author of
    /// version 1, but the account loses at once every right it had as their seller (rule 5), and
    /// the delegates it appointed lose theirs; the trader's next bound account gains them.
    /// @param account The account to unbind.
    function unbindTrader(address account) external;

    /// @notice Grants the Customs role to `account` for the administration of `country`.
    /// @dev Only ONBOARDING_ROLE (the admin of CUSTOMS_ROLE).
    /// @param account The Customs account.
    /// @param country ISO 3166-1 alpha-2 code of its administration.
    function grantCustoms(address account, bytes2 country) external;

    /// @notice Publishes (or rotates) the caller's X25519 encryption public key.
    /// @dev Any account may publish its own key; publishing again replaces the current key (the old
    /// key ids stay in the EncryptionKeyPublished events, for old wrapped keys). The zero key is
    /// refused with InvalidEncryptionKey.
    /// @param publicKey The 32-byte X25519 public key.
    function publishEncryptionKey(bytes32 publicKey) external;

    /// @notice Publishes the encryption public key of `account` at its onboarding.
    /// @dev Only ONBOARDING_ROLE; the same rules as `publishEncryptionKey`.
    /// @param account The account the key belongs to.
    /// @param publicKey The 32-byte X25519 public key.
    function publishEncryptionKeyFor(address account, bytes32 publicKey) external;

    // ------------------------------------------------------------------ key data sets

    /// @notice Registers the key data set of one invoice of the caller's trader.
    /// @dev Rules 1, 2 and 3: the registry key is `GPIDLib.registryKey(caller's bound trader key,
    /// invoiceKey)` and the GPID `GPIDLib.gpidOf(chainid, this, registryKey)`; a second registration
    /// of the same pair reverts with InvoiceAlreadyRegistered(invoiceKey, gpid). The invoice number
    /// never reaches the chain: the seller's node sends `invoiceKey = HMAC-SHA256(k_trader,
    /// "GPID/invoice-key/v1" || normalised invoice number)` under a secret of the seller trader kept
    /// by its node (docs/protocol.md, "Invoice key"), and checks the number's normal form itself.
    /// A zero key reverts with InvalidInvoiceKey.
    /// @param invoiceKey The seller node's keyed hash of the normalised invoice number.
    /// The payload's first byte is its format, stored in the record: 1 (plain: deflated canonical
    /// JSON) or 2 (confidential: `0x02 || uint8 count || count recipient keys of 88 bytes (hint,
    /// HPKE enc, wrapped content key) || nonce (12) || AES-256-GCM ciphertext and tag`, at least
    /// `2 + 88 * count + 28` bytes); any other tag
    /// reverts with UnsupportedPayloadFormat, a short format-2 payload with PayloadTooShort.
    /// @param commitments The section commitments and the buyer's trader key (format 1) or the
    /// section Merkle roots and the salted buyer commitment (format 2).
    /// @param payload The format-tagged key data set, at most MAX_PAYLOAD_BYTES bytes.
    /// @return gpid The GPID, equal to `gpidFor(traderKey, invoiceKey)`.
    function register(
        bytes32 invoiceKey,
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
    /// @dev Rules 4 and 5, for every format: only an account bound now to the GPID's seller trader
    /// ID, or a delegate appointed by such an account, else NotAuthorisedAuthor; at most
    /// MAX_VERSIONS versions in all (else TooManyVersions); `previous` must hash to the current
    /// digest; the identity section is immutable; at least one section must change; the payload
    /// keeps the GPID's format (else PayloadFormatMismatch).
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
    /// @dev Rule 5, for every format: only an account bound now to the GPID's seller trader ID (else
    /// NotSeller). The delegation is remembered with the appointing account and lasts while that
    /// account stays bound to the seller's trader ID: when it is unbound (lost, stolen, retired),
    /// its delegates lose the right at once, so a stolen key cannot leave a delegate behind; the
    /// trader's new account appoints again the delegates it wants, and may withdraw any delegate.
    /// @param gpid The key data set.
    /// @param delegate The account.
    /// @param allowed True to allow, false to withdraw.
    function setAmendmentDelegate(bytes16 gpid, address delegate, bool allowed) external;

    // ------------------------------------------------------------------ declarations and checks

    /// @notice Records that the declaration `declarationReference` of `country` references `gpid`.
    /// @dev Rule 6. Format 2: an account bound now to the GPID's seller trader ID, an account
    /// holding an active grant for the GPID, or an agent holding a standing mandate from the seller
    /// trader for `direction`; the buyer links through `linkDeclarationAsSaltedBuyer`. Format 1
    /// (whose data is public on chain anyway) keeps the round-1 rule: any BROKER_ROLE account, or
    /// the seller (an account bound now to its trader ID). Anyone else: NotAuthorisedLinker. Each
    /// (gpid, country, declarationReference) once only; at most MAX_LINKS declarations per GPID
    /// (else TooManyLinks).
    /// @param gpid The key data set.
    /// @param declarationReference The declaration declaration reference (e.g. an MRN) in normal form.
    /// @param country The declaring country.
    /// @param direction 1 export, 2 import.
    function linkDeclaration(bytes16 gpid, string calldata declarationReference, bytes2 country, uint8 direction) external;

    /// @notice As `linkDeclaration`, by the buyer, who proves it is the buyer with the current commitments.
    /// @dev For format-1 GPIDs (unsalted buyer key): the caller's trader key must equal
    /// `current.buyerTraderKey`, and `current` must hash to the current digest. A format-2 buyer
    /// commitment is salted, so this path refuses it (NotAuthorisedLinker); use
    /// `linkDeclarationAsSaltedBuyer`. Counts against the same MAX_LINKS as `linkDeclaration`.
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

    /// @notice As `linkDeclaration`, by the buyer of a format-2 GPID, who proves it is the buyer by
    /// opening the salted buyer commitment.
    /// @dev `current` must hash to the current digest (else CommitmentsMismatch) and
    /// `keccak256(abi.encode(buyerSalt, traderKeyOf(msg.sender)))` must equal
    /// `current.buyerTraderKey` (else NotAuthorisedLinker). Format 1: WrongFormat.
    /// @param gpid The key data set.
    /// @param current The commitments of the current version.
    /// @param buyerSalt The buyer salt of the GPID (from inside its ciphertext).
    /// @param declarationReference The declaration reference in normal form.
    /// @param country The declaring country.
    /// @param direction 1 export, 2 import.
    function linkDeclarationAsSaltedBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        bytes32 buyerSalt,
        string calldata declarationReference,
        bytes2 country,
        uint8 direction
    ) external;

    /// @notice Records the outcome of a Customs check of a declaration against `gpid`.
    /// @dev Only CUSTOMS_ROLE; the country is the caller's administration. Rule 7, format-2 GPIDs
    /// only: the declaration (caller's country, `declarationReference`) must be linked to `gpid`,
    /// else DeclarationNotLinked. Format-1 GPIDs keep the round-1 rule (any declaration reference):
    /// the node of this round records the outcome of every verification it makes, linked or not.
    /// @param gpid The key data set.
    /// @param declarationReference The declaration declarationReference in normal form.
    /// @param version The version the declaration was checked against.
    /// @param outcome 1 match, 2 discrepancies, 3 integrity failure.
    function recordVerification(bytes16 gpid, string calldata declarationReference, uint32 version, uint8 outcome) external;

    // ------------------------------------------------------------------ grants and mandates

    /// @notice Gives `grantee` access to the format-2 key data set `gpid`: the content key wrapped
    /// for it, and the right to link declarations to `gpid`.
    /// @dev Only an account bound now to the GPID's seller trader ID (else NotSeller); format 2 only
    /// (else WrongFormat). `wrappedKey` must be 112 bytes (else InvalidWrappedKey), the grantee must
    /// have published an encryption key (else NoEncryptionKey) and the wrapped key's first 32 bytes
    /// must be that key's id (else WrongKeyId); a second grant while one is active: AlreadyGranted.
    /// @param gpid The key data set.
    /// @param grantee The account given access.
    /// @param wrappedKey keyId (32) || HPKE enc (32) || wrapped content key and tag (48).
    function grantAccess(bytes16 gpid, address grantee, bytes calldata wrappedKey) external;

    /// @notice As `grantAccess`, by the buyer, who proves it is the buyer by opening the salted
    /// buyer commitment of the current version.
    /// @dev `current` must hash to the current digest (else CommitmentsMismatch) and
    /// `keccak256(abi.encode(buyerSalt, traderKeyOf(msg.sender)))` must equal
    /// `current.buyerTraderKey` (else NotBuyer); then the rules of `grantAccess`.
    /// @param gpid The key data set.
    /// @param current The commitments of the current version.
    /// @param buyerSalt The buyer salt of the GPID.
    /// @param grantee The account given access.
    /// @param wrappedKey keyId (32) || HPKE enc (32) || wrapped content key and tag (48).
    function grantAccessAsBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        bytes32 buyerSalt,
        address grantee,
        bytes calldata wrappedKey
    ) external;

    /// @notice Ends the grant of `grantee` for `gpid`: it may no longer link declarations to it.
    /// @dev Only an account bound now to the GPID's seller trader ID (else NotSeller); NotGranted
    /// when no grant is active. What was shared stays shared: the grantee keeps the content key it
    /// received, so it still reads the versions (the next amendments included, as they are
    /// encrypted under the same content key).
    /// @param gpid The key data set.
    /// @param grantee The account whose grant ends.
    function revokeAccess(bytes16 gpid, address grantee) external;

    /// @notice As `revokeAccess`, by the buyer opening the salted buyer commitment.
    /// @dev The buyer check of `grantAccessAsBuyer`, then the rules of `revokeAccess`.
    /// @param gpid The key data set.
    /// @param current The commitments of the current version.
    /// @param buyerSalt The buyer salt of the GPID.
    /// @param grantee The account whose grant ends.
    function revokeAccessAsBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        bytes32 buyerSalt,
        address grantee
    ) external;

    /// @notice Gives (or withdraws) `agent` a standing mandate of the caller's trader for `direction`.
    /// @dev The caller must be bound to a trader ID (else TraderNotBound); the mandate belongs to the
    /// trader key, not to the account, so it survives a rebinding of the trader to a new account.
    /// With a mandate for a direction, the agent may link declarations of that direction to every
    /// format-2 GPID whose seller is that trader. `direction` 1 export, 2 import (else InvalidDirection).
    /// @param agent The agent account (e.g. the seller's export broker).
    /// @param direction 1 export, 2 import.
    /// @param active True to give, false to withdraw.
    function setMandate(address agent, uint8 direction, bool active) external;

    // ------------------------------------------------------------------ views

    /// @notice The GPID that the invoice with key `invoiceKey` of trader `sellerTraderKey` has or will have.
    /// @param sellerTraderKey The seller's trader key.
    /// @param invoiceKey The seller node's keyed hash of the invoice number (see `register`).
    /// @return The GPID.
    function gpidFor(bytes32 sellerTraderKey, bytes32 invoiceKey) external view returns (bytes16);

    /// @notice The per-GPID record (issuer zero when unknown): issuer, registration time, current
    /// version, the number of declarations linked and the payload format (1 plain, 2 confidential).
    /// @param gpid The key data set.
    /// @return The record.
    function recordOf(bytes16 gpid) external view returns (Record memory);

    /// @notice One version of a key data set.
    /// @param gpid The key data set.
    /// @param version From 1 to the record's version.
    /// @return The version.
    function versionOf(bytes16 gpid, uint32 version) external view returns (VersionInfo memory);

    /// @notice The seller trader key of `gpid`: the trader key its issuer account was bound to when it
    /// registered (zero when unknown). The accounts bound to it now hold the seller's rights.
    /// @param gpid The key data set.
    /// @return The seller's trader key.
    function sellerTraderKeyOf(bytes16 gpid) external view returns (bytes32);

    /// @notice The trader key the account is bound to (zero when unbound).
    /// @param account The account.
    /// @return The trader key.
    function traderKeyOf(address account) external view returns (bytes32);

    /// @notice The country of a Customs account (zero when none).
    /// @param account The account.
    /// @return The country code.
    function customsCountryOf(address account) external view returns (bytes2);

    /// @notice Whether `account` may amend `gpid` as a delegate: it was appointed, and the account that
    /// appointed it is still bound to the GPID's seller trader ID.
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

    /// @notice The current encryption public key of `account` and its id (zeros when none).
    /// @param account The account.
    /// @return publicKey The X25519 public key.
    /// @return keyId `keccak256(publicKey)`, the tag of the keys wrapped for it.
    function encryptionKeyOf(address account) external view returns (bytes32 publicKey, bytes32 keyId);

    /// @notice Whether `account` holds an active grant for `gpid`.
    /// @param gpid The key data set.
    /// @param account The account.
    /// @return True when granted and not revoked.
    function hasGrant(bytes16 gpid, address account) external view returns (bool);

    /// @notice Whether the trader whose key is `traderKey` gave `agent` a standing mandate for `direction`.
    /// @param traderKey The trader key of the mandating seller or buyer.
    /// @param agent The agent account.
    /// @param direction 1 export, 2 import.
    /// @return True when the mandate is active.
    function hasMandate(bytes32 traderKey, address agent, uint8 direction) external view returns (bool);
}
