// The Hardhat network the tests run the contract and end-to-end suites on when GPID_TEST_CHAIN=hardhat
// (tests/support/chains.py starts `hardhat node` with this file). It mirrors what the anvil launcher
// (gpid_node/chain/devchain.py) gives: chain id 31337, the development mnemonic's 10 accounts with
// 10 000 ETH each, automine, and a contract size limit the harness fits in. Nothing is compiled here.
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
      // anvil runs with --code-size-limit 49152; Hardhat has no such setting, only no limit at all
      allowUnlimitedContractSize: true,
      mining: blockTimeMs > 0 ? { auto: false, interval: blockTimeMs } : { auto: true, interval: 0 },
    },
  },
  // `hardhat node` compiles nothing, but keep Hardhat's cache out of the source tree all the same
  paths: { cache: env.GPID_HARDHAT_CACHE || path.join(os.tmpdir(), "gpid-hardhat-cache") },
};
