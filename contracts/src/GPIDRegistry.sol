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
    mapping(address account => bytes32 traderKey) private _traderKeys;
    mapping(address account => bytes2 country) private _customsCountries;
    mapping(bytes16 gpid => mapping(address account => bool allowed)) private _delegates;
    mapping(bytes32 linkKey => bool linked) private _links;

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

    // ------------------------------------------------------------------ key data sets

    /// @inheritdoc IGPIDRegistry
    function register(
        string calldata invoiceNumber,
        GPIDLib.Commitments calldata commitments,
        bytes calldata payload
    ) external returns (bytes16 gpid) {
        return _register(_callerTraderKey(), invoiceNumber, commitments, payload, NOT_IN_BATCH);
    }

    /// @inheritdoc IGPIDRegistry
    function registerBatch(Registration[] calldata items) external returns (bytes16[] memory gpids) {
        if (items.length == 0) revert EmptyBatch();
        bytes32 sellerTraderKey = _callerTraderKey();
        gpids = new bytes16[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            Registration calldata item = items[i];
            gpids[i] = _register(sellerTraderKey, item.invoiceNumber, item.commitments, item.payload, i);
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
        if (msg.sender != record.issuer && !_delegates[gpid][msg.sender]) {
            revert NotAuthorisedAuthor(gpid, msg.sender);
        }
        version = _nextVersion(gpid, record);
        _requireCurrent(gpid, record.version, previous);
        uint8 changed = GPIDLib.changedSections(previous, next);
        if (changed & GPIDLib.SECTION_IDENTITY != 0) revert SectionImmutable(GPIDLib.SECTION_IDENTITY);
        if (changed == 0) revert NothingChanged(gpid);
        if (bytes(reason).length > MAX_REASON_BYTES) revert ReasonTooLong(bytes(reason).length, MAX_REASON_BYTES);
        _checkPayload(payload, NOT_IN_BATCH);

        record.version = version;
        _versions[gpid][version] = VersionInfo({
            digest: next.digestOf(),
            author: msg.sender,
            time: _now(),
            changedSections: changed,
            reasonCode: reasonCode
        });
        emit KeyDataSetAmended(gpid, msg.sender, version, changed, reasonCode, reason, next, payload);
    }

    /// @inheritdoc IGPIDRegistry
    function setAmendmentDelegate(bytes16 gpid, address delegate, bool allowed) external {
        Record storage record = _existingRecord(gpid);
        if (msg.sender != record.issuer) revert NotIssuer(gpid, msg.sender);
        _delegates[gpid][delegate] = allowed;
        emit AmendmentDelegateSet(gpid, delegate, allowed);
    }

    // ------------------------------------------------------------------ declarations and checks

    /// @inheritdoc IGPIDRegistry
    function linkDeclaration(bytes16 gpid, string calldata declarationReference, bytes2 country, uint8 direction) external {
        Record storage record = _existingRecord(gpid);
        if (msg.sender != record.issuer && !hasRole(BROKER_ROLE, msg.sender)) {
            revert NotAuthorisedLinker(gpid, msg.sender);
        }
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
        emit VerificationRecorded(
            gpid, GPIDLib.referenceKey(declarationReference), msg.sender, _customsCountries[msg.sender], version, outcome
        );
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IGPIDRegistry
    function gpidFor(bytes32 sellerTraderKey, string calldata invoiceNumber) external view returns (bytes16) {
        return GPIDLib.gpidOf(block.chainid, address(this), GPIDLib.invoiceKey(sellerTraderKey, invoiceNumber));
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
    function traderKeyOf(address account) external view returns (bytes32) {
        return _traderKeys[account];
    }

    /// @inheritdoc IGPIDRegistry
    function customsCountryOf(address account) external view returns (bytes2) {
        return hasRole(CUSTOMS_ROLE, account) ? _customsCountries[account] : bytes2(0);
    }

    /// @inheritdoc IGPIDRegistry
    function isAmendmentDelegate(bytes16 gpid, address account) external view returns (bool) {
        return _delegates[gpid][account];
    }

    /// @inheritdoc IGPIDRegistry
    function isLinked(bytes16 gpid, bytes2 country, string calldata declarationReference) external view returns (bool) {
        return _links[_linkKey(gpid, country, GPIDLib.referenceKey(declarationReference))];
    }

    // ------------------------------------------------------------------ internal rules

    /// @dev The clock; the test harness overrides it.
    function _now() internal view virtual returns (uint40) {
        return uint40(block.timestamp);
    }

    /// @dev The one registration path: single and batch registrations both come here.
    function _register(
        bytes32 sellerTraderKey,
        string calldata invoiceNumber,
        GPIDLib.Commitments calldata commitments,
        bytes calldata payload,
        uint256 index
    ) private returns (bytes16 gpid) {
        if (!GPIDLib.isNormalIdentifier(invoiceNumber)) {
            _refuse(index, abi.encodeWithSelector(IdentifierNotNormalised.selector, invoiceNumber));
        }
        bytes32 invoiceKey = GPIDLib.invoiceKey(sellerTraderKey, invoiceNumber);
        gpid = GPIDLib.gpidOf(block.chainid, address(this), invoiceKey);
        Record storage record = _records[gpid];
        if (record.issuer != address(0)) {
            _refuse(index, abi.encodeWithSelector(InvoiceAlreadyRegistered.selector, invoiceKey, gpid));
        }
        _checkPayload(payload, index);

        record.issuer = msg.sender;
        record.registeredAt = _now();
        record.version = FIRST_VERSION;
        _versions[gpid][FIRST_VERSION].digest = GPIDLib.digestOf(commitments);
        emit KeyDataSetRegistered(gpid, msg.sender, sellerTraderKey, invoiceKey, commitments, payload);
    }

    /// @dev The one link path: both link functions come here, after their own right check.
    function _link(
        bytes16 gpid,
        Record storage record,
        string calldata declarationReference,
        bytes2 country,
        uint8 direction
    ) private {
        _requireNormal(declarationReference);
        _requireCountry(country);
        if (direction != DIRECTION_EXPORT && direction != DIRECTION_IMPORT) revert InvalidDirection(direction);
        bytes32 referenceKey = GPIDLib.referenceKey(declarationReference);
        bytes32 key = _linkKey(gpid, country, referenceKey);
        if (_links[key]) revert DeclarationAlreadyLinked(gpid, country, referenceKey);
        _countLink(gpid, record);
        _links[key] = true;
        emit DeclarationLinked(gpid, referenceKey, msg.sender, country, direction, declarationReference);
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

    function _callerTraderKey() private view returns (bytes32 key) {
        key = _traderKeys[msg.sender];
        if (key == bytes32(0)) revert TraderNotBound(msg.sender);
    }

    function _existingRecord(bytes16 gpid) private view returns (Record storage record) {
        record = _records[gpid];
        if (record.issuer == address(0)) revert UnknownGPID(gpid);
    }

    function _requireCurrent(bytes16 gpid, uint32 version, GPIDLib.Commitments calldata presented) private view {
        bytes32 expected = _versions[gpid][version].digest;
        bytes32 given = GPIDLib.digestOf(presented);
        if (given != expected) revert CommitmentsMismatch(expected, given);
    }

    function _checkPayload(bytes calldata payload, uint256 index) private pure {
        if (payload.length == 0 || payload[0] == 0) {
            _refuse(index, abi.encodeWithSelector(InvalidPayload.selector, payload.length));
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            _refuse(index, abi.encodeWithSelector(PayloadTooLarge.selector, payload.length, MAX_PAYLOAD_BYTES));
        }
    }

    function _requireNormal(string calldata identifier) private pure {
        if (!GPIDLib.isNormalIdentifier(identifier)) revert IdentifierNotNormalised(identifier);
    }

    function _requireCountry(bytes2 country) private pure {
        if (!GPIDLib.isCountryCode(country)) revert InvalidCountry(country);
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
