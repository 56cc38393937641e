// The Hardhat network the tests run the contract and end-to-end suites on when GPID_TEST_CHAIN=hardhat
// (tests/support/chains.py starts `hardhat node` with this file). It mirrors what the anvil launcher
// (gpid_node/chain/devchain.py) gives: chain id 31337, the development mnemonic's 10 accounts with
// 10 000 ETH each, automine. Nothing is compiled here.
const os = require("os");
const path = require("path");

const env = process.env;
const blockTimeMs = Number(env.GPID_HARDHAT_BLOCK_TIME_MS || 0);

module.exports = {
  networks: {
    hardhat: {
      chainId: Number(env.GPID_HARDHAT_CHAIN_ID || 31337),
      accounts: {
        mnemonic: env.GPID_HARDHAT_MNEMONIC || "test test test test test test test test test test test junk",
        count: 10,
        accountsBalance: "10000000000000000000000",
      },
      // anvil runs with --code-size-limit 49152; Hardhat keeps the standard 24,576 bytes (EIP-170), as
      // real networks do: the registry (about 15 kB) must deploy under it
      mining: blockTimeMs > 0 ? { auto: false, interval: blockTimeMs } : { auto: true, interval: 0 },
      // anvil stamps a burst of automined blocks with the same second; Hardhat by default stamps each
      // block at least a second after its parent, so a burst runs the chain's clock ahead of the wall
      // clock (docs/operations.md, "What differs between chains")
      allowBlocksWithSameTimestamp: true,
      // Hardhat's default hardfork unless the launcher passes anvil's --hardfork NAME on
      ...(env.GPID_HARDHAT_HARDFORK ? { hardfork: env.GPID_HARDHAT_HARDFORK } : {}),
      // `hardhat node` logs every JSON-RPC call unless told not to: GPID_HARDHAT_LOGGING=1 to see them
      loggingEnabled: env.GPID_HARDHAT_LOGGING === "1",
    },
  },
  // `hardhat node` compiles nothing, but keep Hardhat's cache out of the source tree all the same
  paths: { cache: env.GPID_HARDHAT_CACHE || path.join(os.tmpdir(), "gpid-hardhat-cache") },
};
