"""The chain adapter: ABI, registry client, writes, event decoding, reverts, transport, keystore, dev chain.

Importing it restores the process's recursion limit. py_ecc (imported through eth-account and
web3) raises it to 100,000 on import, and with that limit the standard library's recursive C JSON
parser overflows a thread's C stack on deeply nested text (a few hundred KB of ``[``) and kills
the process with SIGSEGV instead of raising RecursionError. Nothing the node runs needs more than
the interpreter's default: py_ecc's deep recursion serves pairings the node never computes.
"""

import sys

_LIMIT_BEFORE = sys.getrecursionlimit()

import py_ecc  # noqa: E402,F401  - imported here first so that its limit can be undone

sys.setrecursionlimit(_LIMIT_BEFORE if _LIMIT_BEFORE <= 10_000 else 1_000)
