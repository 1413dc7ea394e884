"""Edit a gazetteer file in place without losing a comment or a byte elsewhere.

Every edit runs under a lock file (``filelock``), so concurrent editors wait
for each other instead of overwriting; reads the file, checks it with the
safe reader, applies the change through ruamel.yaml's round-trip mode (which
keeps comments, key order, quoting and blank lines), splices only the edited
site's lines into the original text, so every other byte stays as it was,
and replaces the file atomically: the new text goes to a temporary file in
the same directory, is fsynced, read back and compared with what the edit
intended (the edited site exactly as asked, every other site unchanged),
and only then renamed over the file. A process killed at any moment leaves
the old file or the new one.

New values are one line of text: a control character (tab, line feed, NEL
U+0085, ...), U+2028 or U+2029 is refused with the field and the character
named, because YAML readers disagree on which of them end a line. A file
that already holds such a line break is refused the same way, before
anything is written.

A gazetteer reached through a symbolic link is edited where it lives: the
link is resolved, the lock and the temporary file sit beside the real file,
so two paths to one file exclude each other and the link stays a link. A
file without write permission (mode 0444, even for root) is not edited.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator, Mapping
import contextlib
import hashlib
import io
import json
import math
import os
from pathlib import Path
import re
import stat
import tempfile
from typing import Any
import unicodedata

from shiproute.errors import GazetteerError, Problem
from shiproute.gazetteer.load import SITE_FIELDS, bundled_path, parse_gazetteer
from shiproute.gazetteer.model import Site
from shiproute.gazetteer.safeyaml import (
    YamlReadError,
    decode_text,
    parse_yaml,
    read_limited,
    resolve_plain,
)

LOCK_TIMEOUT_S = 60.0
# a plain or quoted scalar up to an end-of-line comment (" #") or the line end
_ONE_LINE_VALUE = re.compile(
    r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|(?:[^#\n]|(?<! )#)*?)(?=\s+#|\s*$)"""
)
FLOAT_FIELDS = ("lat", "lon")
# characters a value may not hold: controls, lone surrogates (bytes that were
# not UTF-8), and the line and paragraph separators
_REFUSED = {"Cc", "Cs", "Zl", "Zp"}
_CHAR_NAMES = {"\t": "tab", "\n": "line feed", "\r": "carriage return", "\x85": "next line",
               "\x1b": "escape", "\x00": "NUL"}
# line breaks that YAML 1.1 (libyaml, ruamel.yaml) counts and YAML 1.2 does not
_ODD_BREAK = re.compile("[\x85\u2028\u2029]|\r(?!\n)")
_NAME_MAX = 255
_NOTHING_WRITTEN = "nothing was written"


def _fail(path: Path, message: str, line: int = 0, column: int = 0) -> GazetteerError:
    return GazetteerError([Problem(str(path), line, column, message)])


# --- values ---------------------------------------------------------------

def _describe(char: str) -> str:
    """Name a character for a message, e.g. ``U+2028 (line separator)``."""
    if unicodedata.category(char) == "Cs":
        name = "not UTF-8"
    else:
        name = _CHAR_NAMES.get(char) or unicodedata.name(char, "a control character").lower()
    return f"U+{ord(char):04X} ({name})"


def _check_text(path: Path, field: str, value: str) -> None:
    """Refuse a value YAML would not give back as the same one line of text.

    Parameters
    ----------
    path
        The gazetteer, for the message.
    field
        The field's name, for the message.
    value
        The new text.

    Raises
    ------
    GazetteerError
        Naming the field, the first refused character and where it is.
    """
    for index, char in enumerate(value):
        if unicodedata.category(char) in _REFUSED:
            fix = "use a space instead" if char.isspace() else "remove it"
            raise _fail(path, f"'{field}' contains {_describe(char)} at character {index + 1}; "
                              f"values are one line of plain text: {fix}; {_NOTHING_WRITTEN}")


def _check_number(path: Path, field: str, value: float, shown: object) -> None:
    if not math.isfinite(value):
        raise _fail(path, f"'{field}' must be a finite number, not {shown!r}")


def _check_fields(path: Path, site_id: str, fields: Mapping[str, Any]) -> None:
    """Refuse an id or field of a new site that would not read back as given."""
    _check_text(path, "id", site_id)
    for key, value in fields.items():
        if key == "aliases":
            for alias in value or ():
                _check_text(path, "alias", str(alias))
        elif key in FLOAT_FIELDS and isinstance(value, (int, float)):
            _check_number(path, key, float(value), value)
        elif isinstance(value, str):
            _check_text(path, key, value)


# --- the file -------------------------------------------------------------

def _hidden_name(target: Path, suffix: str, room: int = 0) -> str:
    """Return ``.NAME{suffix}``, or a hash of NAME when that (plus ``room``) is too long."""
    name = f".{target.name}{suffix}"
    if len(os.fsencode(name)) + room <= _NAME_MAX:
        return name
    return f".{hashlib.sha256(os.fsencode(target.name)).hexdigest()[:16]}{suffix}"


def _target(path: Path) -> Path:
    """Return the real file behind ``path`` (links followed), refusing the bundled one."""
    target = path.resolve()
    if target == bundled_path().resolve():
        raise _fail(path, "the bundled gazetteer is read-only; start your own with "
                          "'shiproute gazetteer init FILE'")
    return target


@contextlib.contextmanager
def _locked(target: Path, shown: Path, timeout_s: float) -> Iterator[None]:
    """Hold the lock of ``target`` (``.NAME.lock`` beside the real file)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(target.with_name(_hidden_name(target, ".lock"))))
    try:
        lock.acquire(timeout=timeout_s)
    except Timeout:
        raise _fail(shown, f"another process has been editing this file for "
                           f"{timeout_s:.0f} s; try again") from None
    except OSError as err:
        raise _fail(shown, f"can't lock the file for editing: {err.strerror or err}; "
                           f"{_NOTHING_WRITTEN}") from None
    try:
        yield
    finally:
        lock.release()


def _check_file(target: Path, shown: Path) -> None:
    """Refuse, before a lock file is made beside it, anything but a writable regular file."""
    try:
        info = target.stat()
    except OSError as err:
        raise _fail(shown, f"can't read gazetteer: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        _read(shown)  # refuses it by its stat alone, opening nothing
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise _fail(shown, f"the file is read-only (mode {stat.S_IMODE(info.st_mode):04o}); "
                           f"make it writable to edit it (chmod u+w {target})")


def _read(shown: Path) -> bytes:
    """Read the file to edit: a regular file within the YAML size limit, read no further."""
    try:
        return read_limited(shown, "gazetteer")
    except YamlReadError as err:
        raise GazetteerError([err.problem]) from None


def _text(data: bytes, shown: Path) -> str:
    """Decode the file, refusing line breaks that YAML readers count differently."""
    try:
        text = decode_text(data, str(shown))
    except YamlReadError as err:
        raise GazetteerError([err.problem]) from None
    odd = _ODD_BREAK.search(text)
    if odd:
        line = text.count("\n", 0, odd.start()) + 1
        column = odd.start() - text.rfind("\n", 0, odd.start())
        raise _fail(shown, f"{_describe(odd.group())} in the file, which YAML readers disagree "
                           "on as a line break; replace it with a space (or a line feed), "
                           "then edit again", line, column)
    return text


def _raw_sites(data: bytes, shown: Path) -> dict[Any, Any]:
    """Return the ``sites`` mapping as the safe reader reads it, refusing a broken file."""
    try:
        document = parse_yaml(data, str(shown))
    except YamlReadError as err:
        raise GazetteerError([err.problem]) from None
    _sites, mapping, problems = parse_gazetteer(document)
    if problems.has_errors:
        raise GazetteerError(problems)
    return mapping


def _lines(text: str) -> list[str]:
    """Split at line feeds only (``str.splitlines`` also splits at U+2028, U+0085, ...)."""
    return io.StringIO(text, newline="\n").readlines()


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    _data, sequence, offset = load_yaml_guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1_000_000
    mapping = _mapping_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence or mapping + (offset or 0),
                offset=offset or 0)
    return yaml


def _round_trip(text: str, shown: Path) -> tuple[Any, Any]:
    """Return ruamel.yaml's round-trip reader and document, or a clean error if it can't read it."""
    from ruamel.yaml.error import YAMLError

    try:
        yaml = _yaml(text)
        return yaml, yaml.load(text)
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        fix = "replace the tab with spaces" if "\\t" in problem else "rewrite that value"
        raise _fail(shown, f"the editor (ruamel.yaml) can't read this file: {problem}; {fix}, "
                           "then edit again", line, column) from None


def _mapping_indent(text: str) -> int:
    """Return how far the file indents the first site under ``sites:`` (default 2)."""
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.rstrip() == "sites:":
            for following in lines[n + 1:]:
                stripped = following.lstrip()
                if stripped and not stripped.startswith("#"):
                    return max(len(following) - len(stripped), 1)
    return 2


def _block(sites: Any, site_id: str, lines: list[str]) -> tuple[int, int]:
    """Return the 0-based [start, stop) lines of a site's entry, without trailing comments."""
    keys = list(sites)
    start = sites.lc.key(site_id)[0]
    position = keys.index(site_id)
    stop = sites.lc.key(keys[position + 1])[0] if position + 1 < len(keys) else len(lines)
    indent = len(lines[start]) - len(lines[start].lstrip())
    while stop > start + 1:
        line = lines[stop - 1]
        stripped = line.lstrip()
        if stripped and not (stripped.startswith("#") and len(line) - len(stripped) <= indent):
            break
        stop -= 1
    return start, stop


def edit_sites(
    path: Path,
    site_id: str,
    change: Callable[[Any], None],
    expect: Callable[[Any], Any],
    *,
    in_place: Callable[[str, Any], str | None] | None = None,
    guard: Callable[[bytes], None] | None = None,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
) -> None:
    """Change one site of a gazetteer file, safely.

    Parameters
    ----------
    path
        The gazetteer file (never the bundled one); a symbolic link is
        followed and the file it points to is edited.
    site_id
        The site that changes (is added, edited or removed); no other may.
    change
        Called with the round-trip ``sites`` mapping; changes ``site_id``.
    expect
        Called with the site as the file holds it now (a plain mapping, or
        ``None`` for a new site); returns what it must read back as after
        the edit (``None``: removed). The written file is compared with it.
    in_place
        Optional exact text edit, tried first: given the text and the parsed
        ``sites`` mapping, returns the new text, or ``None`` to use ``change``.
    guard
        Called with the new file's bytes before they replace the file;
        raises to refuse the edit (see :func:`site_guard`).
    lock_timeout_s
        How long to wait for another editor to finish.

    Raises
    ------
    GazetteerError
        If the file is not a writable regular file, is invalid before or
        after the edit, the change is refused, the lock can't be had, the
        new file would not read back as intended, or it can't be written.
    """
    target = _target(path)
    _check_file(target, path)
    with _locked(target, path, lock_timeout_s):
        _remove_stale(target)
        old = _read(path)
        text = _text(old, path)
        before = _raw_sites(old, path)
        new = _new_text(text, path, site_id, change, in_place)  # refuses an unknown site
        expected = dict(before)
        site = expect(before.get(site_id))
        if site is None:
            expected.pop(site_id, None)
        else:
            expected[site_id] = site
        bom = codecs.BOM_UTF8 if old.startswith(codecs.BOM_UTF8) else b""
        _replace(target, path, bom + new.encode("utf-8"),
                 lambda written: _verify(path, written, expected, guard))


def _new_text(text: str, shown: Path, site_id: str, change: Callable[[Any], None],
              in_place: Callable[[str, Any], str | None] | None) -> str:
    """Return the edited text: the exact in-place edit, else ruamel's entry spliced in."""
    yaml, document = _round_trip(text, shown)
    sites = document["sites"]
    exact = in_place(text, sites) if in_place else None
    if exact is not None:
        return exact
    old_lines = _lines(text)
    old_keys = list(sites)
    old_blocks = {key: _block(sites, key, old_lines) for key in old_keys}
    change(sites)
    out = io.StringIO()
    yaml.dump(document, out)
    dumped = out.getvalue()
    return _splice(old_lines, old_keys, old_blocks, dumped, _reload(dumped, shown)["sites"],
                   site_id)


def _verify(shown: Path, written: bytes, expected: Mapping[Any, Any],
            guard: Callable[[bytes], None] | None) -> None:
    """Refuse the written bytes unless they read back exactly as ``expected``.

    Both readers must take the file: the safe reader (every site as
    intended, the file valid) and ruamel.yaml (so the next edit works).
    """
    got = _raw_sites(written, shown)
    _reload(_text(written, shown), shown)
    difference = _difference(got, expected)
    if difference:
        raise _not_read_back(shown, difference)
    if guard is not None:
        guard(written)


def _reload(text: str, shown: Path) -> Any:
    """Read edited text with ruamel.yaml; refuse the edit if it can't (nor could the next edit)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML().load(text)
    except YAMLError as err:
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise _not_read_back(shown, f"ruamel.yaml: {problem}") from None


def _not_read_back(shown: Path, detail: str) -> GazetteerError:
    return _fail(shown, f"the edited file would not read back as written ({detail}); "
                        f"{_NOTHING_WRITTEN}")


def _difference(got: Mapping[Any, Any], expected: Mapping[Any, Any]) -> str | None:
    """Describe the first site that reads back other than intended, else ``None``."""
    for site in dict.fromkeys([*expected, *got]):
        have, want = got.get(site), expected.get(site)
        if have == want:
            continue
        if isinstance(have, dict) and isinstance(want, dict):
            field = next(f for f in {**want, **have} if have.get(f) != want.get(f))
            return (f"'{field}' of site '{site}' would read {have.get(field)!r}, "
                    f"not {want.get(field)!r}")
        return f"site '{site}' would read {have!r}, not {want!r}"
    return None


def _remove_stale(target: Path) -> None:
    """Remove temporary files left by an editor killed mid-write (the lock is held)."""
    prefix = _hidden_name(target, ".", room=12)
    for entry in os.scandir(target.parent):
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp") and \
                len(entry.name) == len(prefix) + 12:
            Path(entry.path).unlink(missing_ok=True)


def _replace(target: Path, shown: Path, data: bytes, verify: Callable[[bytes], object]) -> None:
    """Write ``data`` beside ``target``, read it back, verify it, and rename it over ``target``.

    The temporary file gets the target's mode (and owner, where allowed). A
    failure at any step removes it and leaves ``target`` as it was.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=_hidden_name(target, ".", room=12),
                                   suffix=".tmp")
    except OSError as err:
        raise _fail(shown, f"can't write beside the file: {err.strerror or err}; "
                           f"{_NOTHING_WRITTEN}") from None
    try:
        with os.fdopen(fd, "w+b") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            handle.seek(0)
            verify(handle.read())
        _keep_mode(tmp, target)
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _fail(shown, f"can't write the edit: {err.strerror or err}; "
                           f"{_NOTHING_WRITTEN}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def _keep_mode(tmp: str, target: Path) -> None:
    """Give the new file the mode and, where the user may, the owner of the old one."""
    try:
        info = target.stat()
    except FileNotFoundError:  # a new file (init): the usual mode for new files
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(tmp, info.st_uid, info.st_gid)
    os.chmod(tmp, stat.S_IMODE(info.st_mode))


def _sync_directory(directory: Path) -> None:
    """Flush the rename to disk; the file itself is already synced, so a failure is harmless."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def site_guard(path: Path, site_id: str, below: Mapping[str, Site] | None
               ) -> Callable[[bytes], None]:
    """Return a guard that refuses an edit leaving ``site_id`` with an error ``check`` reports.

    The checks are those of :func:`shiproute.gazetteer.check.check_sites`: a
    site outside its country (swapped coordinates), a name or alias another
    site of this file has. Warnings (a name that shadows one in ``below``,
    the layers under this file) don't block the edit, nor do problems of
    other sites, already in the file.
    """

    def guard(new: bytes) -> None:
        from shiproute.gazetteer.check import check_gazetteer

        prefix = f"site '{site_id}'"
        found = [p for p in check_gazetteer(path, data=new, below=below)
                 if p.message.startswith(prefix) and p.severity == "error"]
        if found:
            raise _fail(path, f"{found[0].message}; nothing was written "
                              "(--force writes it anyway)")

    return guard


def _splice(old_lines: list[str], old_keys: list[str], old_blocks: dict[str, tuple[int, int]],
            dumped: str, new_sites: Any, site_id: str) -> str:
    """Put the edited site's lines from ruamel's output into the untouched original text.

    ruamel keeps comments and order, but may re-indent distant block scalars;
    taking only the edited entry from its output keeps every other byte.
    """
    new_lines = _lines(dumped)
    if not old_keys or (site_id not in old_blocks and not old_lines[-1].endswith("\n")):
        return dumped  # an empty or unterminated mapping: nothing to keep around it
    if site_id not in new_sites:  # removed
        start, stop = old_blocks[site_id]
        return "".join(old_lines[:start] + old_lines[stop:])
    new_start, new_stop = _block(new_sites, site_id, new_lines)
    newline = "\r\n" if old_lines[0].endswith("\r\n") else "\n"  # ruamel writes "\n"
    entry = [line.removesuffix("\n").removesuffix("\r") + newline if line.endswith("\n")
             else line for line in new_lines[new_start:new_stop]]
    if site_id in old_blocks:  # changed in place
        start, stop = old_blocks[site_id]
        return "".join(old_lines[:start] + entry + old_lines[stop:])
    _start, last_stop = old_blocks[old_keys[-1]]  # added after the last site
    return "".join(old_lines[:last_stop] + entry + old_lines[last_stop:])


def _value_end(sites: Any, site_id: str, field: str, lines: list[str]) -> int:
    """Return the 0-based line after a field's value (a block or multi-line value included).

    The value runs to the next field of the site (or the end of its entry),
    less the blank lines and the comments, no deeper than the key, before it.
    """
    entry = sites[site_id]
    keys = list(entry)
    position = keys.index(field)
    if position + 1 < len(keys):
        stop = int(entry.lc.key(keys[position + 1])[0])
    else:
        stop = _block(sites, site_id, lines)[1]
    key_line = lines[entry.lc.key(field)[0]]
    indent = len(key_line) - len(key_line.lstrip())
    start = entry.lc.value(field)[0]
    while stop > start + 1:
        last = lines[stop - 1]
        stripped = last.lstrip()
        if stripped and not (stripped.startswith("#") and len(last) - len(stripped) <= indent):
            break
        stop -= 1
    return stop


def _scalar(value: Any) -> str:
    """Write a value as a YAML scalar: numbers as they are, text plain when safe, else quoted."""
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and ": " not in text and resolve_plain(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#\n]*(?<![\s:])")


def _styled(text: str) -> Any:
    """Return text for ruamel.yaml to write: plain where that is safe in a flow list, else quoted.

    ruamel.yaml writes some texts plain that it can't read back (``": Z"``
    in a flow list), and libyaml refuses a ``:`` inside a plain text there
    (``0:?``); double quotes always read back.
    """
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if _scalar(text) == text and not any(c in text for c in ",[]{}:"):
        return text
    return DoubleQuotedScalarString(text)


def _site(sites: Any, site_id: str, path: Path) -> Any:
    if site_id not in sites:
        from shiproute.gazetteer.suggest import did_you_mean

        hint = did_you_mean(site_id, list(sites)) or ""
        raise _fail(path, f"no site '{site_id}' in this file{hint}")
    return sites[site_id]


def _flow(items: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(_styled(i) if isinstance(i, str) else i for i in items)
    seq.fa.set_flow_style()
    return seq


def add_site(path: Path, site_id: str, fields: dict[str, Any], *,
             guard: Callable[[bytes], None] | None = None) -> None:
    """Add a site at the end of the file's ``sites:`` mapping.

    Parameters
    ----------
    path, site_id, fields
        The file, the new id and the site's fields (see ``SITE_FIELDS``).
    guard
        See :func:`edit_sites`; :func:`site_guard` refuses what ``check`` would.

    Raises
    ------
    GazetteerError
        If the id exists, a value is not one line of text or a finite
        number, the result is invalid, or the guard refuses it.
    """
    from ruamel.yaml.comments import CommentedMap

    given = {key: fields[key] for key in SITE_FIELDS if fields.get(key) not in (None, "", [], ())}
    entry = {key: list(value) if key == "aliases" else value for key, value in given.items()}
    _check_fields(path, site_id, entry)

    def change(sites: Any) -> None:
        if site_id in sites:
            line = sites.lc.key(site_id)[0] + 1
            raise _fail(path, f"site '{site_id}' already exists (line {line}); use "
                              "'shiproute gazetteer set' to change it")
        sites[site_id] = CommentedMap(
            (key, _flow(value) if key == "aliases" else
             _styled(value) if isinstance(value, str) else value)
            for key, value in entry.items())

    edit_sites(path, site_id, change, lambda _old: entry, guard=guard)


def set_field(path: Path, site_id: str, field: str, value: str, *,
              guard: Callable[[bytes], None] | None = None) -> None:
    """Set one field of a site; ``lat``/``lon`` are numbers, others text.

    Raises
    ------
    GazetteerError
        If the site or field is unknown, the value is not one line of text
        or a finite number, the result is invalid, or the guard (see
        :func:`add_site`) refuses it.
    """
    if field not in SITE_FIELDS or field == "aliases":
        usable = ", ".join(f for f in SITE_FIELDS if f != "aliases")
        raise _fail(path, f"can't set '{field}'; use one of {usable} "
                          "(and 'shiproute gazetteer alias' for aliases)")
    parsed: Any = value
    if field in FLOAT_FIELDS:
        try:
            parsed = float(value)
        except ValueError:
            raise _fail(path, f"'{field}' must be a number, not {value!r}") from None
        _check_number(path, field, parsed, value)
    else:
        _check_text(path, field, value)

    def change(sites: Any) -> None:
        _site(sites, site_id, path)[field] = _styled(parsed) if isinstance(parsed, str) else parsed

    def in_place(text: str, sites: Any) -> str | None:
        """Replace a plain, quoted or block value where it stands, keeping its comment."""
        entry = _site(sites, site_id, path)
        if field not in entry or not isinstance(entry[field], (str, int, float)) or \
                entry.fa.flow_style():
            return None
        lines = _lines(text)
        line_no, column = entry.lc.value(field)
        line = lines[line_no]
        match = _ONE_LINE_VALUE.match(line, column)
        if match is None:
            return None
        stop = _value_end(sites, site_id, field, lines)
        lines[line_no:stop] = [line[:column] + _scalar(parsed) + line[match.end(1):]]
        return "".join(lines)

    edit_sites(path, site_id, change, lambda old: {**old, field: parsed},
               in_place=in_place, guard=guard)


def _aliases(value: Any) -> list[Any]:
    """Return a site's aliases as a list (the field may hold one text, or be empty)."""
    if isinstance(value, list):
        return list(value)
    return [] if value is None else [value]


def add_alias(path: Path, site_id: str, alias: str, *,
              guard: Callable[[bytes], None] | None = None) -> None:
    """Add an alias to a site.

    Raises
    ------
    GazetteerError
        If the site is unknown, already has the alias, the alias is not one
        line of text, or the guard (see :func:`add_site`) refuses the result.
    """
    _check_text(path, "alias", alias)

    def change(sites: Any) -> None:
        entry = _site(sites, site_id, path)
        aliases = entry.get("aliases")
        if alias in _aliases(aliases):
            raise _fail(path, f"'{alias}' is already an alias of '{site_id}'")
        if isinstance(aliases, list):
            aliases.append(_styled(alias))
        elif "aliases" in entry:
            entry["aliases"] = _flow([*_aliases(aliases), alias])
        else:
            entry.insert(list(entry).index("name") + 1 if "name" in entry else 0,
                         "aliases", _flow([alias]))

    edit_sites(path, site_id, change,
               lambda old: {**old, "aliases": [*_aliases(old.get("aliases")), alias]},
               guard=guard)


def remove_site(path: Path, site_id: str) -> None:
    """Remove a site; the comments around it stay.

    Raises
    ------
    GazetteerError
        If the site is unknown.
    """

    def change(sites: Any) -> None:
        _site(sites, site_id, path)
        keys = list(sites)
        position = keys.index(site_id)
        # ruamel keeps the comment lines that follow an entry with that entry;
        # hand them to the entry before, so a section comment survives.
        trailing = sites.ca.items.get(site_id)
        if trailing and position > 0:
            sites.ca.items[keys[position - 1]] = trailing
        del sites[site_id]

    edit_sites(path, site_id, change, lambda _old: None)


def init_gazetteer(path: Path) -> None:
    """Copy the bundled gazetteer, comments and all, to a new file.

    Raises
    ------
    GazetteerError
        If the file exists or can't be written.
    """
    if path.exists() or path.is_symlink():
        raise _fail(path, "file exists; choose a new name or edit it directly")
    _replace(path, path, bundled_path().read_bytes(), lambda written: _raw_sites(written, path))
