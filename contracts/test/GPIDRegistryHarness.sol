// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.29;

import {GPIDRegistry} from "../src/GPIDRegistry.sol";

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

    function _now() internal view override returns (uint40) {
        return _fixedNow == 0 ? super._now() : _fixedNow;
    }
}
