"""Files that hold keys or credentials: private from their first byte, and never half written.

Keystores, ``dev-credentials.json`` (API keys) and a ``node.toml`` holding the keystore password
are written here and nowhere else. Writing a file and then ``chmod``-ing it leaves a moment in
which another user of the machine can open it (and keep it open): with a umask of 000 the file is
born world-readable. So each is written to a temporary file created with mode 0600 and ``O_EXCL``
in the same folder (``fchmod`` again: the umask cannot widen it, and an existing file is never
reused), flushed to disk, then renamed over the target (or linked to it, when the target must
not exist yet): a reader sees the old file or the new one, whole, and nothing else ever.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private(path: Path, content: str | bytes, *, replace: bool = True) -> None:
    """Writes ``content`` (text as UTF-8) to ``path`` with mode 0600, atomically.

    ``replace=False`` refuses an existing file (FileExistsError), also one created meanwhile by
    another process: the file is linked into place, which fails rather than overwriting.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_MODE)
    try:
        try:
            os.fchmod(fd, PRIVATE_MODE)  # the umask only narrows; this says what is meant
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # FileExistsError if the target appeared: never overwritten
    finally:
        temporary.unlink(missing_ok=True)  # gone after a rename; after a link, or a failure, removed here
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """The rename itself made durable (POSIX: fsync of the folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
