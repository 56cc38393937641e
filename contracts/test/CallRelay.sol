// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.29;

/// @title CallRelay
/// @notice Test-only stand-in for a multisig or smart wallet: it forwards a call to a target, so the
/// target sees the relay as `msg.sender` and the transaction's input is the relay's, not the target's.
/// @dev The node's indexer then finds a registration's payload in the call trace, not in the input.
contract CallRelay {
    /// @notice Calls `target` with `data`; the target's refusal is passed on unchanged.
    /// @param target The contract to call.
    /// @param data The calldata (selector and arguments).
    /// @return result What the target returned.
    function forward(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
