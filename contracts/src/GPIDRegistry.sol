// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.29;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IGPIDRegistry} from "./IGPIDRegistry.sol";
import {GPIDLib} from "./libraries/GPIDLib.sol";

/// @title GPIDRegistry
/// @notice Registry of Goods Passport IDs. See IGPIDRegistry for the rules and DESIGN.md for the model.
contract GPIDRegistry is IGPIDRegistry, AccessControl {
    using GPIDLib for GPIDLib.Commitments;

    /// @notice Binds and unbinds trader IDs; administers the broker and Customs roles.
    bytes32 public constant ONBOARDING_ROLE = keccak256("GPID_ONBOARDING_ROLE");
    /// @notice Links declarations to GPIDs on behalf of traders.
    bytes32 public constant BROKER_ROLE = keccak256("GPID_BROKER_ROLE");
    /// @notice Records verification outcomes for the administration of its country.
    bytes32 public constant CUSTOMS_ROLE = keccak256("GPID_CUSTOMS_ROLE");

    /// @notice Largest payload accepted, in bytes.
    uint256 public constant MAX_PAYLOAD_BYTES = 24_576;
    /// @notice Longest amendment reason accepted, in bytes.
    uint256 public constant MAX_REASON_BYTES = 500;
    /// @notice Most versions one key data set can have: the registration and 99 amendments.
    /// @dev An invoice is corrected a few times at most (a price after a credit note, a mass after
    /// weighing); a hundred versions leave ample room while bounding what every node indexes per
    /// GPID and what a verification reads (each version, its payload of up to MAX_PAYLOAD_BYTES
    /// included, is checked against its digest). Beyond it amend reverts with TooManyVersions.
    uint32 public constant MAX_VERSIONS = 100;
    /// @notice Most declarations that can reference one key data set.
    /// @dev A real invoice is declared a handful of times (export, import, perhaps transit, a
    /// re-filed or split declaration); a hundred leave ample room while bounding what every node
    /// indexes per GPID and the other declarations a verification lists. Beyond it both link
    /// functions revert with TooManyLinks.
    uint32 public constant MAX_LINKS = 100;

    uint8 private constant DIRECTION_EXPORT = 1;
    uint8 private constant DIRECTION_IMPORT = 2;
    uint8 private constant OUTCOME_MATCH = 1;
    uint8 private constant OUTCOME_INTEGRITY_FAILURE = 3;
    uint32 private constant FIRST_VERSION = 1;
    /// @dev Marks a call outside a batch, so that errors are not wrapped with an index.
    uint256 private constant NOT_IN_BATCH = type(uint256).max;

    /// @dev Per GPID: one slot (see Record).
    mapping(bytes16 gpid => Record record) private _records;
    /// @dev Per GPID and version: the digest slot and, from version 2 on, the author slot.
    mapping(bytes16 gpid => mapping(uint32 version => VersionInfo info)) private _versions;
    /// @dev Per account: the trader key it is bound to now (deleted when unbound).
    mapping(address account => bytes32 traderKey) private _traderKeys;
    /// @dev Per account: the trader key it was first bound to, never erased nor changed (one slot per
    /// account, written once at its first binding). The seller of a GPID is the trader of its issuer.
    mapping(address account => bytes32 traderKey) private _accountTraders;
    mapping(address account => bytes2 country) private _customsCountries;
    /// @dev Per GPID and delegate: the account that appointed it (zero when none); the delegation
    /// counts while that account is bound to the GPID's seller trader key.
    mapping(bytes16 gpid => mapping(address delegate => address appointedBy)) private _delegates;
    mapping(bytes32 linkKey => bool linked) private _links;
    /// @dev Per account: its current X25519 public key (one slot; the id is computed when needed).
    mapping(address account => bytes32 publicKey) private _encryptionKeys;
    /// @dev Per format-2 GPID and grantee: whether a grant is active (one slot per grant).
    mapping(bytes16 gpid => mapping(address grantee => bool granted)) private _grants;
    /// @dev Per mandating trader key and agent: a mask of direction bits (1 << direction).
    mapping(bytes32 traderKey => mapping(address agent => uint8 directions)) private _mandates;

    /// @param admin The consortium operator: default admin and onboarding authority.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ONBOARDING_ROLE, admin);
        _setRoleAdmin(BROKER_ROLE, ONBOARDING_ROLE);
        _setRoleAdmin(CUSTOMS_ROLE, ONBOARDING_ROLE);
    }

    // ------------------------------------------------------------------ onboarding

    /// @inheritdoc IGPIDRegistry
    function bindTrader(address account, string calldata traderId) external onlyRole(ONBOARDING_ROLE) {
        _requireNormal(traderId);
        bytes32 existing = _traderKeys[account];
        if (existing != bytes32(0)) revert AccountAlreadyBound(account, existing);
        bytes32 key = GPIDLib.traderKey(traderId);
        bytes32 lifelong = _accountTraders[account];
        if (lifelong == bytes32(0)) _accountTraders[account] = key;
        else if (lifelong != key) revert AccountOfAnotherTrader(account, lifelong);
        _traderKeys[account] = key;
        emit TraderBound(key, account, traderId);
    }

    /// @inheritdoc IGPIDRegistry
    function unbindTrader(address account) external onlyRole(ONBOARDING_ROLE) {
        bytes32 key = _traderKeys[account];
        if (key == bytes32(0)) revert TraderNotBound(account);
        delete _traderKeys[account];
        emit TraderUnbound(key, account);
    }

    /// @inheritdoc IGPIDRegistry
    function grantCustoms(address account, bytes2 country) external onlyRole(ONBOARDING_ROLE) {
        _requireCountry(country);
        _grantRole(CUSTOMS_ROLE, account);
        _customsCountries[account] = country;
        emit CustomsCountrySet(account, country);
    }

    /// @inheritdoc IGPIDRegistry
    function publishEncryptionKey(bytes32 publicKey) external {
        _publishEncryptionKey(msg.sender, publicKey);
    }

    /// @inheritdoc IGPIDRegistry
    function publishEncryptionKeyFor(address account, bytes32 publicKey) external onlyRole(ONBOARDING_ROLE) {
        _publishEncryptionKey(account, publicKey);
    }

    // ------------------------------------------------------------------ key data sets

    /// @inheritdoc IGPIDRegistry
    function register(
        bytes32 invoiceKey,
        GPIDLib.Commitments calldata commitments,
        bytes calldata payload
    ) external returns (bytes16 gpid) {
        return _register(_callerTraderKey(), invoiceKey, commitments, payload, NOT_IN_BATCH);
    }

    /// @inheritdoc IGPIDRegistry
    function registerBatch(Registration[] calldata items) external returns (bytes16[] memory gpids) {
        if (items.length == 0) revert EmptyBatch();
        bytes32 sellerTraderKey = _callerTraderKey();
        gpids = new bytes16[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            Registration calldata item = items[i];
            gpids[i] = _register(sellerTraderKey, item.invoiceKey, item.commitments, item.payload, i);
        }
    }

    /// @inheritdoc IGPIDRegistry
    function amend(
        bytes16 gpid,
        GPIDLib.Commitments calldata previous,
        GPIDLib.Commitments calldata next,
        uint16 reasonCode,
        string calldata reason,
        bytes calldata payload
    ) external returns (uint32 version) {
        Record storage record = _existingRecord(gpid);
        if (!_isSellerAccount(record, msg.sender) && !_isDelegate(gpid, record, msg.sender)) {
            revert NotAuthorisedAuthor(gpid, msg.sender);
        }
        version = _nextVersion(gpid, record);
        _requireCurrent(gpid, record.version, previous);
        uint8 changed = GPIDLib.changedSections(previous, next);
        if (changed & GPIDLib.SECTION_IDENTITY != 0) revert SectionImmutable(GPIDLib.SECTION_IDENTITY);
        if (changed == 0) revert NothingChanged(gpid);
        if (bytes(reason).length > MAX_REASON_BYTES) revert ReasonTooLong(bytes(reason).length, MAX_REASON_BYTES);
        uint8 format = _checkPayload(payload, NOT_IN_BATCH);
        if (format != record.format) revert PayloadFormatMismatch(gpid, record.format, format);

        record.version = version;
        _versions[gpid][version] = VersionInfo({
            digest: next.digestOf(),
            author: msg.sender,
            time: _now(),
            changedSections: changed,
            reasonCode: reasonCode
        });
        emit KeyDataSetAmended(gpid, msg.sender, version, changed, reasonCode, reason, next, keccak256(payload));
    }

    /// @inheritdoc IGPIDRegistry
    function setAmendmentDelegate(bytes16 gpid, address delegate, bool allowed) external {
        Record storage record = _existingRecord(gpid);
        _requireSeller(gpid, record);
        _delegates[gpid][delegate] = allowed ? msg.sender : address(0);
        emit AmendmentDelegateSet(gpid, delegate, allowed);
    }

    // ------------------------------------------------------------------ declarations and checks

    /// @inheritdoc IGPIDRegistry
    function linkDeclaration(bytes16 gpid, string calldata declarationReference, bytes2 country, uint8 direction) external {
        Record storage record = _existingRecord(gpid);
        if (!_mayLink(gpid, record, direction)) revert NotAuthorisedLinker(gpid, msg.sender);
        _link(gpid, record, declarationReference, country, direction);
    }

    /// @inheritdoc IGPIDRegistry
    function linkDeclarationAsBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        string calldata declarationReference,
        bytes2 country,
        uint8 direction
    ) external {
        Record storage record = _existingRecord(gpid);
        _requireCurrent(gpid, record.version, current);
        bytes32 callerKey = _traderKeys[msg.sender];
        if (callerKey == bytes32(0) || callerKey != current.buyerTraderKey) {
            revert NotAuthorisedLinker(gpid, msg.sender);
        }
        _link(gpid, record, declarationReference, country, direction);
    }

    /// @inheritdoc IGPIDRegistry
    function linkDeclarationAsSaltedBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        bytes32 buyerSalt,
        string calldata declarationReference,
        bytes2 country,
        uint8 direction
    ) external {
        Record storage record = _existingConfidentialRecord(gpid);
        if (!_opensBuyerCommitment(gpid, record, current, buyerSalt)) revert NotAuthorisedLinker(gpid, msg.sender);
        _link(gpid, record, declarationReference, country, direction);
    }

    /// @inheritdoc IGPIDRegistry
    function recordVerification(
        bytes16 gpid,
        string calldata declarationReference,
        uint32 version,
        uint8 outcome
    ) external onlyRole(CUSTOMS_ROLE) {
        Record storage record = _existingRecord(gpid);
        if (version < FIRST_VERSION || version > record.version) revert UnknownVersion(gpid, version);
        if (outcome < OUTCOME_MATCH || outcome > OUTCOME_INTEGRITY_FAILURE) revert InvalidOutcome(outcome);
        _requireNormal(declarationReference);
        bytes2 country = _customsCountries[msg.sender];
        bytes32 referenceKey = GPIDLib.referenceKey(declarationReference);
        if (record.format == GPIDLib.FORMAT_CONFIDENTIAL && !_links[_linkKey(gpid, country, referenceKey)]) {
            revert DeclarationNotLinked(gpid, country, referenceKey);
        }
        emit VerificationRecorded(gpid, referenceKey, msg.sender, country, version, outcome);
    }

    // ------------------------------------------------------------------ grants and mandates

    /// @inheritdoc IGPIDRegistry
    function grantAccess(bytes16 gpid, address grantee, bytes calldata wrappedKey) external {
        Record storage record = _existingConfidentialRecord(gpid);
        _requireSeller(gpid, record);
        _grant(gpid, grantee, wrappedKey);
    }

    /// @inheritdoc IGPIDRegistry
    function grantAccessAsBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        bytes32 buyerSalt,
        address grantee,
        bytes calldata wrappedKey
    ) external {
        Record storage record = _existingConfidentialRecord(gpid);
        if (!_opensBuyerCommitment(gpid, record, current, buyerSalt)) revert NotBuyer(gpid, msg.sender);
        _grant(gpid, grantee, wrappedKey);
    }

    /// @inheritdoc IGPIDRegistry
    function revokeAccess(bytes16 gpid, address grantee) external {
        Record storage record = _existingConfidentialRecord(gpid);
        _requireSeller(gpid, record);
        _revoke(gpid, grantee);
    }

    /// @inheritdoc IGPIDRegistry
    function revokeAccessAsBuyer(
        bytes16 gpid,
        GPIDLib.Commitments calldata current,
        bytes32 buyerSalt,
        address grantee
    ) external {
        Record storage record = _existingConfidentialRecord(gpid);
        if (!_opensBuyerCommitment(gpid, record, current, buyerSalt)) revert NotBuyer(gpid, msg.sender);
        _revoke(gpid, grantee);
    }

    /// @inheritdoc IGPIDRegistry
    function setMandate(address agent, uint8 direction, bool active) external {
        bytes32 traderKey = _callerTraderKey();
        _requireDirection(direction);
        uint8 bit = uint8(1) << direction;
        uint8 directions = _mandates[traderKey][agent];
        _mandates[traderKey][agent] = active ? directions | bit : directions & ~bit;
        emit MandateSet(traderKey, agent, direction, active);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IGPIDRegistry
    function gpidFor(bytes32 sellerTraderKey, bytes32 invoiceKey) external view returns (bytes16) {
        return GPIDLib.gpidOf(block.chainid, address(this), GPIDLib.registryKey(sellerTraderKey, invoiceKey));
    }

    /// @inheritdoc IGPIDRegistry
    function recordOf(bytes16 gpid) external view returns (Record memory) {
        return _records[gpid];
    }

    /// @inheritdoc IGPIDRegistry
    function versionOf(bytes16 gpid, uint32 version) external view returns (VersionInfo memory info) {
        Record storage record = _existingRecord(gpid);
        if (version < FIRST_VERSION || version > record.version) revert UnknownVersion(gpid, version);
        info = _versions[gpid][version];
        if (version == FIRST_VERSION) {
            info.author = record.issuer;
            info.time = record.registeredAt;
            info.changedSections = GPIDLib.ALL_SECTIONS;
        }
    }

    /// @inheritdoc IGPIDRegistry
    function sellerTraderKeyOf(bytes16 gpid) external view returns (bytes32) {
        return _accountTraders[_records[gpid].issuer];
    }

    /// @inheritdoc IGPIDRegistry
    function traderKeyOf(address account) external view returns (bytes32) {
        return _traderKeys[account];
    }

    /// @inheritdoc IGPIDRegistry
    function customsCountryOf(address account) external view returns (bytes2) {
        return hasRole(CUSTOMS_ROLE, account) ? _customsCountries[account] : bytes2(0);
    }

    /// @inheritdoc IGPIDRegistry
    function isAmendmentDelegate(bytes16 gpid, address account) external view returns (bool) {
        return _isDelegate(gpid, _records[gpid], account);
    }

    /// @inheritdoc IGPIDRegistry
    function isLinked(bytes16 gpid, bytes2 country, string calldata declarationReference) external view returns (bool) {
        return _links[_linkKey(gpid, country, GPIDLib.referenceKey(declarationReference))];
    }

    /// @inheritdoc IGPIDRegistry
    function encryptionKeyOf(address account) external view returns (bytes32 publicKey, bytes32 keyId) {
        publicKey = _encryptionKeys[account];
        if (publicKey != bytes32(0)) keyId = GPIDLib.keyId(publicKey);
    }

    /// @inheritdoc IGPIDRegistry
    function hasGrant(bytes16 gpid, address account) external view returns (bool) {
        return _grants[gpid][account];
    }

    /// @inheritdoc IGPIDRegistry
    function hasMandate(bytes32 traderKey, address agent, uint8 direction) external view returns (bool) {
        return _hasMandate(traderKey, agent, direction);
    }

    // ------------------------------------------------------------------ internal rules

    /// @dev The clock; the test harness overrides it.
    function _now() internal view virtual returns (uint40) {
        return uint40(block.timestamp);
    }

    /// @dev The one registration path: single and batch registrations both come here. Rules 1 and 2:
    /// the registry key of (seller trader, invoice key) and the GPID derived from it, in GPIDLib.
    function _register(
        bytes32 sellerTraderKey,
        bytes32 invoiceKey,
        GPIDLib.Commitments calldata commitments,
        bytes calldata payload,
        uint256 index
    ) private returns (bytes16 gpid) {
        if (invoiceKey == bytes32(0)) _refuse(index, abi.encodeWithSelector(InvalidInvoiceKey.selector, invoiceKey));
        bytes32 registryKey = GPIDLib.registryKey(sellerTraderKey, invoiceKey);
        gpid = GPIDLib.gpidOf(block.chainid, address(this), registryKey);
        Record storage record = _records[gpid];
        if (record.issuer != address(0)) {
            _refuse(index, abi.encodeWithSelector(InvoiceAlreadyRegistered.selector, invoiceKey, gpid));
        }
        uint8 format = _checkPayload(payload, index);

        record.issuer = msg.sender;
        record.registeredAt = _now();
        record.version = FIRST_VERSION;
        record.format = format;
        _versions[gpid][FIRST_VERSION].digest = GPIDLib.digestOf(commitments);
        emit KeyDataSetRegistered(gpid, msg.sender, sellerTraderKey, registryKey, commitments, keccak256(payload));
    }

    /// @dev The one link path: every link function comes here, after its own right check.
    function _link(
        bytes16 gpid,
        Record storage record,
        string calldata declarationReference,
        bytes2 country,
        uint8 direction
    ) private {
        _requireNormal(declarationReference);
        _requireCountry(country);
        _requireDirection(direction);
        bytes32 referenceKey = GPIDLib.referenceKey(declarationReference);
        bytes32 key = _linkKey(gpid, country, referenceKey);
        if (_links[key]) revert DeclarationAlreadyLinked(gpid, country, referenceKey);
        _countLink(gpid, record);
        _links[key] = true;
        emit DeclarationLinked(gpid, referenceKey, msg.sender, country, direction, declarationReference);
    }

    /// @dev The link right of `linkDeclaration` (rule 6), in one place. Format 1: a broker or the
    /// seller. Format 2: the seller, a grantee of the GPID, or an agent with a standing mandate of
    /// the seller trader for `direction` (the buyer has its own path).
    function _mayLink(bytes16 gpid, Record storage record, uint8 direction) private view returns (bool) {
        if (record.format != GPIDLib.FORMAT_CONFIDENTIAL) {
            return hasRole(BROKER_ROLE, msg.sender) || _isSellerAccount(record, msg.sender);
        }
        return _isSellerAccount(record, msg.sender) || _grants[gpid][msg.sender]
            || _hasMandate(_accountTraders[record.issuer], msg.sender, direction);
    }

    /// @dev The one grant path, for the seller and the buyer: the wrapped key's size and key id
    /// against the grantee's current encryption key, then one grant at a time.
    function _grant(bytes16 gpid, address grantee, bytes calldata wrappedKey) private {
        if (wrappedKey.length != GPIDLib.WRAPPED_KEY_BYTES) {
            revert InvalidWrappedKey(wrappedKey.length, GPIDLib.WRAPPED_KEY_BYTES);
        }
        bytes32 publicKey = _encryptionKeys[grantee];
        if (publicKey == bytes32(0)) revert NoEncryptionKey(grantee);
        bytes32 expected = GPIDLib.keyId(publicKey);
        bytes32 given = bytes32(wrappedKey[0:32]);
        if (given != expected) revert WrongKeyId(grantee, expected, given);
        if (_grants[gpid][grantee]) revert AlreadyGranted(gpid, grantee);
        _grants[gpid][grantee] = true;
        emit AccessGranted(gpid, grantee, msg.sender, wrappedKey);
    }

    /// @dev The one revocation path, for the seller and the buyer.
    function _revoke(bytes16 gpid, address grantee) private {
        if (!_grants[gpid][grantee]) revert NotGranted(gpid, grantee);
        delete _grants[gpid][grantee];
        emit AccessRevoked(gpid, grantee, msg.sender);
    }

    /// @dev One key per account: publishing again rotates it.
    function _publishEncryptionKey(address account, bytes32 publicKey) private {
        if (publicKey == bytes32(0)) revert InvalidEncryptionKey(account, publicKey);
        _encryptionKeys[account] = publicKey;
        emit EncryptionKeyPublished(account, GPIDLib.keyId(publicKey), publicKey);
    }

    /// @dev The version cap, in one place: the number the next version of `record` takes, or
    /// TooManyVersions once the key data set has MAX_VERSIONS versions.
    function _nextVersion(bytes16 gpid, Record storage record) private view returns (uint32) {
        uint32 current = record.version;
        if (current >= MAX_VERSIONS) revert TooManyVersions(gpid, MAX_VERSIONS);
        return current + 1;
    }

    /// @dev The link cap, in one place: counts one more declaration of `record`, or reverts with
    /// TooManyLinks once MAX_LINKS declarations reference it.
    function _countLink(bytes16 gpid, Record storage record) private {
        uint16 links = record.links;
        if (links >= MAX_LINKS) revert TooManyLinks(gpid, MAX_LINKS);
        record.links = links + 1;
    }

    /// @dev Rule 5, in one place: whether `account` is bound now to the seller trader of `record`
    /// (the trader its issuer was bound to). The issuer itself, when bound now, is bound to that
    /// trader (an account never changes trader), which spares a storage read in the common case.
    function _isSellerAccount(Record storage record, address account) private view returns (bool) {
        bytes32 key = _traderKeys[account];
        if (key == bytes32(0)) return false;
        address issuer = record.issuer;
        return account == issuer || key == _accountTraders[issuer];
    }

    function _requireSeller(bytes16 gpid, Record storage record) private view {
        if (!_isSellerAccount(record, msg.sender)) revert NotSeller(gpid, msg.sender);
    }

    /// @dev A delegate counts while the account that appointed it is bound to the seller trader.
    function _isDelegate(bytes16 gpid, Record storage record, address account) private view returns (bool) {
        address appointedBy = _delegates[gpid][account];
        return appointedBy != address(0) && _isSellerAccount(record, appointedBy);
    }

    /// @dev The buyer's proof of format 2, in one place: `current` is the current version and the
    /// caller's trader key, salted with `buyerSalt`, opens its buyer commitment.
    function _opensBuyerCommitment(
        bytes16 gpid,
        Record storage record,
        GPIDLib.Commitments calldata current,
        bytes32 buyerSalt
    ) private view returns (bool) {
        _requireCurrent(gpid, record.version, current);
        bytes32 callerKey = _traderKeys[msg.sender];
        return callerKey != bytes32(0) && GPIDLib.buyerCommitment(buyerSalt, callerKey) == current.buyerTraderKey;
    }

    function _hasMandate(bytes32 traderKey, address agent, uint8 direction) private view returns (bool) {
        if (direction != DIRECTION_EXPORT && direction != DIRECTION_IMPORT) return false;
        return _mandates[traderKey][agent] & (uint8(1) << direction) != 0;
    }

    function _callerTraderKey() private view returns (bytes32 key) {
        key = _traderKeys[msg.sender];
        if (key == bytes32(0)) revert TraderNotBound(msg.sender);
    }

    function _existingRecord(bytes16 gpid) private view returns (Record storage record) {
        record = _records[gpid];
        if (record.issuer == address(0)) revert UnknownGPID(gpid);
    }

    function _existingConfidentialRecord(bytes16 gpid) private view returns (Record storage record) {
        record = _existingRecord(gpid);
        if (record.format != GPIDLib.FORMAT_CONFIDENTIAL) {
            revert WrongFormat(gpid, record.format, GPIDLib.FORMAT_CONFIDENTIAL);
        }
    }

    function _requireCurrent(bytes16 gpid, uint32 version, GPIDLib.Commitments calldata presented) private view {
        bytes32 expected = _versions[gpid][version].digest;
        bytes32 given = GPIDLib.digestOf(presented);
        if (given != expected) revert CommitmentsMismatch(expected, given);
    }

    /// @dev The payload rule, in one place: size cap, format tag 1 or 2, and for format 2 room for
    /// the recipient keys (88 bytes each) it announces, its nonce and its AEAD tag. Returns the format.
    function _checkPayload(bytes calldata payload, uint256 index) private pure returns (uint8 format) {
        if (payload.length == 0 || payload[0] == 0) {
            _refuse(index, abi.encodeWithSelector(InvalidPayload.selector, payload.length));
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            _refuse(index, abi.encodeWithSelector(PayloadTooLarge.selector, payload.length, MAX_PAYLOAD_BYTES));
        }
        format = uint8(payload[0]);
        if (format == GPIDLib.FORMAT_CONFIDENTIAL) {
            uint256 count = payload.length > 1 ? uint8(payload[1]) : 0;
            uint256 minSize = GPIDLib.CONFIDENTIAL_OVERHEAD_BYTES + GPIDLib.RECIPIENT_KEY_BYTES * count;
            if (payload.length < minSize) {
                _refuse(index, abi.encodeWithSelector(PayloadTooShort.selector, payload.length, minSize));
            }
        } else if (format != GPIDLib.FORMAT_PLAIN) {
            _refuse(index, abi.encodeWithSelector(UnsupportedPayloadFormat.selector, format));
        }
    }

    function _requireNormal(string calldata identifier) private pure {
        if (!GPIDLib.isNormalIdentifier(identifier)) revert IdentifierNotNormalised(identifier);
    }

    function _requireCountry(bytes2 country) private pure {
        if (!GPIDLib.isCountryCode(country)) revert InvalidCountry(country);
    }

    function _requireDirection(uint8 direction) private pure {
        if (direction != DIRECTION_EXPORT && direction != DIRECTION_IMPORT) revert InvalidDirection(direction);
    }

    function _linkKey(bytes16 gpid, bytes2 country, bytes32 referenceKey) private pure returns (bytes32) {
        return keccak256(abi.encode(gpid, country, referenceKey));
    }

    /// @dev Reverts with `err`, wrapped in BatchItemRejected(index, err) inside a batch.
    function _refuse(uint256 index, bytes memory err) private pure {
        if (index != NOT_IN_BATCH) err = abi.encodeWithSelector(BatchItemRejected.selector, index, err);
        assembly ("memory-safe") {
            revert(add(err, 0x20), mload(err))
        }
    }
}
