"""Write files so that a reader never sees a partial one, and never over a file that isn't ours.

:func:`write_atomic` is the primitive: a temporary file beside the target,
flushed to disk, renamed over it. :func:`check_output` and
:func:`write_outputs` add the policy every file the CLI writes follows (maps,
pictures, print layouts, exports, imported datasets):

- Only a regular file is written or replaced. A directory, device, FIFO or
  socket at the target is refused, with ``force`` too (``-o /dev/null`` never
  replaces ``/dev/null``).
- A symbolic link at the target is refused. With ``force`` the link itself
  is replaced by the new file; whatever it points to is never read or written.
- An existing file is replaced only when shiproute wrote it, as the format's
  mark shows (each :class:`Output` brings its own test), or with ``force``.
- A read-only file (no write permission bit, or one this user may not write,
  e.g. immutable) is never replaced, not even with ``force``.
- Nothing is written until every file of a command is ready: each is written
  to a private temporary folder beside its target (named after it, within
  255 bytes), flushed to disk, checked again and only then renamed into
  place, keeping the old file's permission bits. On any failure (a full disk,
  an unwritable folder, a failed screenshot) no target changes and every
  temporary file is removed; only SIGKILL can leave a ``.NAME.*.tmp`` folder.
- A rename replaces the name only: another hard link to the old file keeps
  the old content, as a symbolic link's target does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import contextlib
from dataclasses import dataclass
import errno
import os
from pathlib import Path
import shutil
import stat
import tempfile
from typing import TypeAlias

from shiproute.errors import ShiprouteError

NAME_ROOM = 200
"""Bytes of the target's name kept in temporary names, which stay within 255 bytes."""
HEAD = 65536
"""Bytes a format's mark test may read from the start (or end) of an existing file."""
HINTS = {
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EFBIG: "write it elsewhere",
    errno.EROFS: "write it elsewhere",
    errno.EACCES: "check the permissions or write elsewhere",
    errno.EPERM: "check the permissions and attributes (chattr) or write elsewhere",
    errno.EBUSY: "it is in use or a mount point; write it elsewhere",
}
"""How to fix an OS error while writing, by errno (others: check space and permissions)."""
KINDS = {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFIFO: "a named pipe (FIFO)",
         stat.S_IFSOCK: "a socket"}
"""What a file that is not a regular one is, by its ``stat`` type, for messages."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)

Foreign: TypeAlias = Callable[[Path], "str | None"]
"""Say why an existing regular file may not be replaced without ``force``, or None if it may."""
Content: TypeAlias = bytes | Callable[[Path], None]
"""A file's bytes, or a function that writes the file at the (new) path it is given."""


class NotRegularFileError(OSError):
    """A file to read is a directory, device, FIFO or socket; ``kind`` says which."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class FileTooBigError(OSError):
    """A file to read has more than the bytes allowed; ``size`` is what it has (at least)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def file_kind(info: os.stat_result) -> str:
    """Return what a file is by its ``stat``: ``"a named pipe (FIFO)"``, ``"a directory"``..."""
    return KINDS.get(stat.S_IFMT(info.st_mode), "a special file")


def read_bounded(path: str | Path, max_bytes: int) -> bytes:
    """Read a regular file whole, refusing what can't be read safely before reading it.

    The file is checked with ``stat`` first: a device, a FIFO, a directory or
    a socket is refused without being opened, and a file over ``max_bytes``
    without being read. It is then opened without blocking (a FIFO swapped in
    meanwhile can't hang the reader), checked again, and read to at most
    ``max_bytes + 1`` bytes, so a file that grows meanwhile, or whose size
    ``stat`` does not know (``/proc``), is refused too.

    Parameters
    ----------
    path
        The file.
    max_bytes
        Largest accepted file, in bytes.

    Returns
    -------
    bytes

    Raises
    ------
    NotRegularFileError
        If it is not a regular file.
    FileTooBigError
        If it has more than ``max_bytes`` bytes.
    OSError
        If it can't be opened or read.
    """
    for_stat = os.stat(path)
    if not stat.S_ISREG(for_stat.st_mode):
        raise NotRegularFileError(file_kind(for_stat))
    if for_stat.st_size > max_bytes:
        raise FileTooBigError(for_stat.st_size)
    with open(os.open(path, _OPEN_FLAGS), "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(file_kind(info))
        # sized to the file, not the limit; a file that grew or whose size stat does not
        # know (/proc) reads on up to the limit
        data = handle.read(min(info.st_size, max_bytes) + 1)
        if len(data) > info.st_size:
            data += handle.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:
        raise FileTooBigError(max(info.st_size, len(data)))
    return data


class OutputError(ShiprouteError, OSError):
    """An output file shiproute refuses to write, or could not write; its target is unchanged."""


@dataclass(frozen=True, slots=True)
class Output:
    """A file to write, with the test that tells whether shiproute wrote what is there now.

    Parameters
    ----------
    path
        The target, as the user named it.
    foreign
        Given an existing regular file at ``path``: ``None`` when shiproute
        wrote it (its format's mark is there), else why it may be replaced
        only with ``force``, e.g. ``"exists and is not a map written by
        shiproute"``. See :func:`marked` and :func:`unmarked`.
    """

    path: Path
    foreign: Foreign


def marked(kind: str, test: Callable[[bytes], bool], *, at_end: bool = False) -> Foreign:
    """Return a :data:`Foreign` test for a format whose mark is near one end of the file.

    Parameters
    ----------
    kind
        What the format is called in messages (``"map"``, ``"PNG"``).
    test
        Whether the first (or last) :data:`HEAD` bytes carry shiproute's mark.
    at_end
        Test the last bytes instead of the first.

    Returns
    -------
    Foreign
    """
    def foreign(path: Path) -> str | None:
        with path.open("rb") as handle:
            if at_end:
                handle.seek(max(0, os.fstat(handle.fileno()).st_size - HEAD))
            ours = test(handle.read(HEAD))
        return None if ours else f"exists and is not a {kind} written by shiproute"

    return foreign


def unmarked(kind: str) -> Foreign:
    """Return the :data:`Foreign` test of a format with no room for a mark: never ours.

    Parameters
    ----------
    kind
        What the format is called in messages (``"CSV"``).

    Returns
    -------
    Foreign
    """
    def foreign(_path: Path) -> str:
        return f"exists, and a {kind} file carries no mark to show that shiproute wrote it"

    return foreign


def check_output(output: Output, *, force: bool = False) -> None:
    """Refuse a target the policy (see the module docstring) does not let shiproute write.

    Commands call it before their work, so that a refusal comes at once, and
    :func:`write_outputs` calls it again just before renaming.

    Parameters
    ----------
    output
        The file to write.
    force
        Replace a file shiproute did not write, or a symbolic link.

    Raises
    ------
    OutputError
        Saying what is wrong and how to fix it.
    """
    path = output.path
    _check_directory(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as err:
        raise _failed(path, err) from None
    if stat.S_ISLNK(info.st_mode):
        if not force:
            raise OutputError(f"{path}: is a symbolic link to {os.readlink(path)}; use --force "
                              "to replace the link itself (what it points to is left alone), "
                              "or choose another name")
        return
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{path}: is {file_kind(info)}, not a regular file; name a file to "
                          "write")
    if not info.st_mode & 0o222:
        raise OutputError(f"{path}: is read-only; make it writable (chmod u+w) to replace it, "
                          "or choose another name")
    if not os.access(path, os.W_OK):
        raise OutputError(f"{path}: is not writable for this user (its owner, permissions or "
                          "attributes forbid it); choose another name")
    reason = None if force else _foreign(output)
    if reason:
        raise OutputError(f"{path}: {reason}; use --force to replace it, or choose another name")


def write_outputs(files: Sequence[tuple[Output, Content]], *, force: bool = False) -> None:
    """Write every file, or none: stage each beside its target, check, then rename them all.

    Parameters
    ----------
    files
        Each target with its content.
    force
        As for :func:`check_output`.

    Raises
    ------
    OutputError
        If a target is refused or can't be written (full disk, no permission);
        then no target has changed and no temporary file is left.

    Notes
    -----
    The renames come last, one after another. Only a change made to a
    target's folder between them by another program can stop a later one
    after an earlier one is done.
    """
    for output, _content in files:
        check_output(output, force=force)
    with contextlib.ExitStack() as cleanup:
        staged = [_staged(output.path, content, cleanup) for output, content in files]
        for output, _content in files:  # again: a target may have changed meanwhile
            check_output(output, force=force)
        for (output, _content), temporary in zip(files, staged, strict=True):
            try:
                _rename(temporary, output.path)
            except OSError as err:
                raise _failed(output.path, err) from None


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, whatever is there (no policy checks).

    The bytes go to a temporary file in the same directory, are flushed to
    disk, and the file is renamed over ``path``. A crash at any moment leaves
    either the old file or the new one, never a truncated file. For files a
    user names, use :func:`write_outputs`.

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
    with contextlib.ExitStack() as cleanup:
        _rename(_stage(target, data, cleanup), target)


def _check_directory(path: Path) -> None:
    parent = path.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise OutputError(f"{path}: directory {parent} {what}; create it or choose another "
                          "directory")
    try:  # the one honest test of writing there, before any work
        os.rmdir(_folder(path))
    except OSError as err:
        raise _failed(path, err) from None
    size, most = len(os.fsencode(path.name)), os.pathconf(parent, "PC_NAME_MAX")
    if size > most:
        raise OutputError(f"{path}: the file name is too long ({size} bytes; at most {most} "
                          "here); choose a shorter name")


def _foreign(output: Output) -> str | None:
    try:
        return output.foreign(output.path)
    except OSError as err:
        return f"exists and can't be read ({err.strerror or err})"


def _failed(path: Path, err: OSError) -> OutputError:
    hint = HINTS.get(err.errno or 0, "check free space and permissions, or write elsewhere")
    return OutputError(f"{path}: can't write it: {err.strerror or err}; {hint}")


def _staged(path: Path, content: Content, cleanup: contextlib.ExitStack) -> Path:
    """Write ``content`` to a temporary file beside ``path``; the OS error becomes one message."""
    try:
        return _stage(path, content, cleanup)
    except OSError as err:
        raise _failed(path, err) from None


def _stage(path: Path, content: Content, cleanup: contextlib.ExitStack) -> Path:
    """Write ``content`` into a new private folder beside ``path`` (removed on exit); sync it."""
    folder = _folder(path)
    cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
    temporary = folder / f"output{path.suffix if len(path.suffix) <= 16 else ''}"
    if isinstance(content, bytes):
        temporary.write_bytes(content)
    else:
        content(temporary)
    descriptor = os.open(temporary, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return temporary


def _folder(path: Path) -> Path:
    """Make a private temporary folder beside ``path``, named after it within 255 bytes."""
    short = os.fsencode(path.name)[:NAME_ROOM].decode("utf-8", "ignore")
    return Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{short}.", suffix=".tmp"))


def _rename(temporary: Path, target: Path) -> None:
    """Rename ``temporary`` over ``target`` with the old file's permissions; sync the folder."""
    try:
        old = os.lstat(target)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    else:
        mode = old.st_mode & 0o777 if stat.S_ISREG(old.st_mode) else 0o666 & ~_umask()
    os.chmod(temporary, mode)
    os.replace(temporary, target)
    descriptor = os.open(target.parent, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # not every file system syncs folders; it is renamed
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
