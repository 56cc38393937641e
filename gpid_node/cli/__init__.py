"""``gpid-node``: the command line, thin over the same services the REST facade uses.

One module per command group: :mod:`.running` (init, deploy, serve, dev), :mod:`.key_data_sets`, :mod:`.master_data`,
:mod:`.access` (grants and mandates), :mod:`.disclosures` (disclose, check-disclosure), :mod:`.proofs` (proof bundles),
:mod:`.keys`, :mod:`.participants`, :mod:`.index`, :mod:`.erasures`; :mod:`.common` holds what they share.
"""

from __future__ import annotations

import os
import sys

from gpid_node.cli import access, disclosures, erasures, index, key_data_sets, keys, master_data, participants, proofs, running  # noqa: F401 - they add the commands
from gpid_node.cli.common import app, print_error
from gpid_node.domain import errors as e

__all__ = ["app", "main"]


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # uvicorn re-raises SIGTERM once it has shut down; exiting through SystemExit runs the
    # `finally` blocks that stop the outbox, the indexer and the embedded chain (which saves its state).
    raise SystemExit(128 + signum)


def main() -> None:
    """Entry point: runs the app, printing the node's errors as messages, not tracebacks."""
    import signal

    from gpid_node.logs import configure_logging

    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    # Logging starts before the settings are read: a wrong level or format is named by the settings below.
    level, fmt = os.environ.get("GPID_LOG_LEVEL", "info"), os.environ.get("GPID_LOG_FORMAT", "console")
    configure_logging(level if level.lower() in ("debug", "info", "warning", "error") else "info",
                      fmt if fmt in ("json", "console") else "console")  # fmt: skip
    try:
        app()
    except e.GPIDError as error:
        print_error(error)
        sys.exit(2)
    except Exception:  # a defect, or a library's failure: its traceback, without a secret it may quote
        import traceback

        from gpid_node.logs import scrub

        sys.stderr.write(scrub(traceback.format_exc()))
        sys.exit(1)

