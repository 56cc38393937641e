// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.29;

import {GPIDRegistry} from "../src/GPIDRegistry.sol";
import {GPIDLib} from "../src/libraries/GPIDLib.sol";

/// @title GPIDRegistryHarness
/// @notice Test-only registry whose clock the tests set, so that times are deterministic.
contract GPIDRegistryHarness is GPIDRegistry {
    uint40 private _fixedNow;

    constructor(address admin) GPIDRegistry(admin) {}

    /// @notice Sets the time the registry records (0 returns to block time).
    /// @param time Seconds since the epoch.
    function setNow(uint40 time) external {
        _fixedNow = time;
    }

    /// @notice GPIDLib.buyerCommitment, for the golden vectors of format 2.
    /// @param buyerSalt The buyer salt.
    /// @param buyerTraderKey The buyer's trader key.
    /// @return The salted buyer commitment.
    function buyerCommitmentOf(bytes32 buyerSalt, bytes32 buyerTraderKey) external pure returns (bytes32) {
        return GPIDLib.buyerCommitment(buyerSalt, buyerTraderKey);
    }

    /// @notice GPIDLib.digestOf, for the golden vectors of format 2.
    /// @param commitments The section roots and the buyer commitment.
    /// @return The digest the registry stores for a version.
    function digestOf(GPIDLib.Commitments calldata commitments) external pure returns (bytes32) {
        return GPIDLib.digestOf(commitments);
    }

    function _now() internal view override returns (uint40) {
        return _fixedNow == 0 ? super._now() : _fixedNow;
    }
}
