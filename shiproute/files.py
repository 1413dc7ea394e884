"""Write files so that a reader never sees a partial one."""

from __future__ import annotations

import os
from pathlib import Path
import tempfile


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step.

    The bytes go to a temporary file in the same directory, are flushed to
    disk, and the file is renamed over ``path``. A crash at any moment leaves
    either the old file or the new one, never a truncated file.

    Parameters
    ----------
    path
        The file to create or replace.
    data
        Its new content.

    Raises
    ------
    OSError
        If the directory is missing or not writable; ``path`` is untouched.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
