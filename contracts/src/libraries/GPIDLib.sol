// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title GPIDLib
/// @notice Pure derivations of the Goods Passport ID protocol: trader keys, registry keys, GPIDs,
/// digests and the normal form of identifiers. The node's `gpid_node.domain.canonical` computes the
/// same values; `contracts/test/vectors.json` holds the golden vectors both implementations check.
library GPIDLib {
    /// @notice The section commitments of one version of a key data set, plus the buyer's trader key.
    /// @dev Format 1: section commitments are salted keccak256 hashes of RFC 8785 canonical JSON,
    /// computed off chain, and `buyerTraderKey` is the unsalted buyer trader key. Format 2
    /// (docs/protocol.md): the four sections are Merkle roots over salted per-field leaves and
    /// `buyerTraderKey` holds the salted buyer commitment `buyerCommitment(buyerSalt, buyerTraderKey)`,
    /// which the buyer opens on chain to prove itself without naming itself to anyone else.
    struct Commitments {
        bytes32 identity;
        bytes32 seller;
        bytes32 buyer;
        bytes32 goods;
        bytes32 buyerTraderKey;
    }

    /// @dev Section bits of a changed-section mask.
    uint8 internal constant SECTION_IDENTITY = 1;
    uint8 internal constant SECTION_SELLER = 2;
    uint8 internal constant SECTION_BUYER = 4;
    uint8 internal constant SECTION_GOODS = 8;
    uint8 internal constant ALL_SECTIONS = 15;

    /// @dev Payload format tags (the first payload byte).
    uint8 internal constant FORMAT_PLAIN = 1;
    uint8 internal constant FORMAT_CONFIDENTIAL = 2;
    /// @dev A content key wrapped for a grantee (grantAccess): keyId (32) || HPKE enc (32) ||
    /// ciphertext and tag (48).
    uint256 internal constant WRAPPED_KEY_BYTES = 112;
    /// @dev A content key wrapped for a recipient in a format-2 registration payload: recipient hint (8)
    /// || HPKE enc (32) || ciphertext and tag (48). The hint replaces the key id, which would name the
    /// recipient to every reader of the chain (docs/protocol.md, "Recipient hints").
    uint256 internal constant RECIPIENT_KEY_BYTES = 88;
    /// @dev A format-2 payload besides its wrapped keys: tag and count (2), nonce (12), AEAD tag (16).
    uint256 internal constant CONFIDENTIAL_OVERHEAD_BYTES = 30;

    /// @dev Longest identifier (invoice number, declaration declarationReference, trader ID) in bytes.
    uint256 internal constant MAX_IDENTIFIER_BYTES = 70;

    /// @notice The key of a trader ID in its normal form, e.g. "EORI:DE123456789012345".
    function traderKey(string memory traderId) internal pure returns (bytes32) {
        return keccak256(bytes(traderId));
    }

    /// @notice The key of an invoice in the registry (rule 1): the issuing trader and the invoice key
    /// its node sent. The invoice key is `HMAC-SHA256(k_trader, "GPID/invoice-key/v1" || normalised
    /// invoice number)`, computed off chain under a secret of the seller trader (docs/protocol.md), so
    /// that the invoice number cannot be guessed back from the chain.
    function registryKey(bytes32 sellerTraderKey, bytes32 invoiceKey) internal pure returns (bytes32) {
        return keccak256(abi.encode(sellerTraderKey, invoiceKey));
    }

    /// @notice The GPID of an invoice on a given chain and registry: 128 bits, never changing.
    function gpidOf(uint256 chainId, address registry, bytes32 registryKey_) internal pure returns (bytes16) {
        return bytes16(keccak256(abi.encode(chainId, registry, registryKey_)));
    }

    /// @notice The digest the registry stores for one version.
    function digestOf(Commitments memory c) internal pure returns (bytes32) {
        return keccak256(abi.encode(c.identity, c.seller, c.buyer, c.goods, c.buyerTraderKey));
    }

    /// @notice The salted buyer commitment of format 2: what `Commitments.buyerTraderKey` holds.
    function buyerCommitment(bytes32 buyerSalt, bytes32 buyerTraderKey) internal pure returns (bytes32) {
        return keccak256(abi.encode(buyerSalt, buyerTraderKey));
    }

    /// @notice The id of an X25519 encryption public key, the tag of every key wrapped for it.
    function keyId(bytes32 publicKey) internal pure returns (bytes32) {
        return keccak256(abi.encode(publicKey));
    }

    /// @notice The key of a declaration declarationReference in its normal form.
    function referenceKey(string memory declarationReference) internal pure returns (bytes32) {
        return keccak256(bytes(declarationReference));
    }

    /// @notice The sections that differ between two versions, as a mask of SECTION_* bits.
    function changedSections(Commitments memory a, Commitments memory b) internal pure returns (uint8 mask) {
        if (a.identity != b.identity) mask |= SECTION_IDENTITY;
        if (a.seller != b.seller) mask |= SECTION_SELLER;
        if (a.buyer != b.buyer || a.buyerTraderKey != b.buyerTraderKey) mask |= SECTION_BUYER;
        if (a.goods != b.goods) mask |= SECTION_GOODS;
    }

    /// @notice Whether an identifier is in normal form: 1 to MAX_IDENTIFIER_BYTES bytes, no ASCII
    /// lower-case letter, no space or control character. Non-ASCII UTF-8 bytes pass unchanged.
    function isNormalIdentifier(string memory identifier) internal pure returns (bool) {
        bytes memory b = bytes(identifier);
        if (b.length == 0 || b.length > MAX_IDENTIFIER_BYTES) return false;
        for (uint256 i = 0; i < b.length; ++i) {
            bytes1 ch = b[i];
            if (ch <= 0x20 || ch == 0x7f || (ch >= 0x61 && ch <= 0x7a)) return false;
        }
        return true;
    }

    /// @notice Whether a country code is two upper-case ASCII letters.
    function isCountryCode(bytes2 country) internal pure returns (bool) {
        return _isUpper(country[0]) && _isUpper(country[1]);
    }

    function _isUpper(bytes1 ch) private pure returns (bool) {
        return ch >= 0x41 && ch <= 0x5a;
    }
}
