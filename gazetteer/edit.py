"""Edit a gazetteer file in place without losing a comment or a byte elsewhere.

Every edit runs under a lock file (``filelock``), so concurrent editors wait
for each other instead of overwriting; reads the file, checks it with the
safe reader, applies the change through ruamel.yaml's round-trip mode (which
keeps comments, key order, quoting and blank lines), splices only the edited
site's lines into the original text, so every other byte stays as it was,
checks the result, and replaces the file atomically (temporary file, fsync,
rename). A process killed at any moment leaves the old file or the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import io
import json
from pathlib import Path
import re
from typing import Any

from shiproute.errors import GazetteerError, Problem
from shiproute.files import write_atomic
from shiproute.gazetteer.load import SITE_FIELDS, bundled_path, read_gazetteer_file
from shiproute.gazetteer.model import Site
from shiproute.gazetteer.safeyaml import resolve_plain

LOCK_TIMEOUT_S = 60.0
# a plain or quoted scalar up to an end-of-line comment (" #") or the line end
_ONE_LINE_VALUE = re.compile(
    r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|(?:[^#\n]|(?<! )#)*?)(?=\s+#|\s*$)"""
)
FLOAT_FIELDS = ("lat", "lon")


def _fail(path: Path, message: str) -> GazetteerError:
    return GazetteerError([Problem(str(path), 0, 0, message)])


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
    change: Callable[[Any], str],
    *,
    in_place: Callable[[str, Any], str | None] | None = None,
    guard: Callable[[bytes], None] | None = None,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
) -> None:
    """Apply ``change`` to the ``sites:`` mapping of a gazetteer file, safely.

    Parameters
    ----------
    path
        The gazetteer file (never the bundled one).
    change
        Called with the round-trip ``sites`` mapping; modifies it and returns
        the id of the site it changed (its lines may change; no others may).
    in_place
        Optional exact text edit, tried first: given the text and the parsed
        ``sites`` mapping, returns the new text, or ``None`` to use ``change``.
    guard
        Called with the new file's bytes before they are written; raises to
        refuse the edit (see :func:`site_guard`).
    lock_timeout_s
        How long to wait for another editor to finish.

    Raises
    ------
    GazetteerError
        If the file is invalid before or after the edit, the change is
        refused, the lock can't be had, or the edit would touch other lines.
    """
    from filelock import FileLock, Timeout

    if path.resolve() == bundled_path().resolve():
        raise _fail(path, "the bundled gazetteer is read-only; start your own with "
                          "'shiproute gazetteer init FILE'")
    lock = FileLock(str(path.with_name(f".{path.name}.lock")))
    try:
        lock.acquire(timeout=lock_timeout_s)
    except Timeout:
        raise _fail(path, f"another process has been editing this file for "
                          f"{lock_timeout_s:.0f} s; try again") from None
    try:
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)  # left by an editor killed mid-write
        _edit_locked(path, change, in_place, guard)
    finally:
        lock.release()


def _edit_locked(path: Path, change: Callable[[Any], str],
                 in_place: Callable[[str, Any], str | None] | None,
                 guard: Callable[[bytes], None] | None) -> None:
    try:
        old = path.read_bytes()
    except OSError as err:
        raise _fail(path, f"can't read gazetteer: {err.strerror or err}") from None
    read_gazetteer_file(path, data=old)  # refuse to edit a broken or hostile file
    text = old.decode("utf-8-sig")
    yaml = _yaml(text)
    document = yaml.load(text)
    sites = document["sites"]
    exact = in_place(text, sites) if in_place else None
    if exact is not None:
        _write_checked(path, exact.encode("utf-8"), guard)
        return
    old_lines = text.splitlines(keepends=True)
    old_keys = list(sites)
    old_blocks = {key: _block(sites, key, old_lines) for key in old_keys}
    site_id = change(sites)
    out = io.StringIO()
    yaml.dump(document, out)
    new = _splice(old_lines, old_keys, old_blocks, out.getvalue(), site_id, yaml)
    _write_checked(path, new.encode("utf-8"), guard)


def _write_checked(path: Path, new: bytes, guard: Callable[[bytes], None] | None) -> None:
    """Write the edited file if it still reads, and the guard allows it."""
    read_gazetteer_file(path, data=new)
    if guard is not None:
        guard(new)
    write_atomic(path, new)


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
            dumped: str, site_id: str, yaml: Any) -> str:
    """Put the edited site's lines from ruamel's output into the untouched original text.

    ruamel keeps comments and order, but may re-indent distant block scalars;
    taking only the edited entry from its output keeps every other byte.
    """
    new_lines = dumped.splitlines(keepends=True)
    new_sites = yaml.load(dumped)["sites"]
    if not old_keys or (site_id not in old_blocks and not old_lines[-1].endswith("\n")):
        return dumped  # an empty or unterminated mapping: nothing to keep around it
    if site_id not in new_sites:  # removed
        start, stop = old_blocks[site_id]
        return "".join(old_lines[:start] + old_lines[stop:])
    new_start, new_stop = _block(new_sites, site_id, new_lines)
    entry = new_lines[new_start:new_stop]
    if site_id in old_blocks:  # changed in place
        start, stop = old_blocks[site_id]
        return "".join(old_lines[:start] + entry + old_lines[stop:])
    _start, last_stop = old_blocks[old_keys[-1]]  # added after the last site
    return "".join(old_lines[:last_stop] + entry + old_lines[last_stop:])


def _continues(next_line: str, column: int) -> bool:
    """Whether a value goes on to the next line (a multi-line plain or quoted scalar)."""
    stripped = next_line.lstrip()
    return bool(stripped) and not stripped.startswith("#") and \
        len(next_line) - len(stripped) >= column


def _scalar(value: Any) -> str:
    """Write a value as a YAML scalar: numbers as they are, text plain when safe, else quoted."""
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and ": " not in text and resolve_plain(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#\n]*(?<![\s:])")


def _site(sites: Any, site_id: str, path: Path) -> Any:
    if site_id not in sites:
        from shiproute.gazetteer.suggest import did_you_mean

        hint = did_you_mean(site_id, list(sites)) or ""
        raise _fail(path, f"no site '{site_id}' in this file{hint}")
    return sites[site_id]


def _flow(items: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
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
        If the id exists, the result is invalid, or the guard refuses it.
    """
    from ruamel.yaml.comments import CommentedMap

    def change(sites: Any) -> str:
        if site_id in sites:
            line = sites.lc.key(site_id)[0] + 1
            raise _fail(path, f"site '{site_id}' already exists (line {line}); use "
                              "'shiproute gazetteer set' to change it")
        entry = CommentedMap()
        for key in SITE_FIELDS:
            value = fields.get(key)
            if key == "aliases":
                if value:
                    entry[key] = _flow(list(value))
            elif value is not None and value != "":
                entry[key] = value
        sites[site_id] = entry
        return site_id

    edit_sites(path, change, guard=guard)


def set_field(path: Path, site_id: str, field: str, value: str, *,
              guard: Callable[[bytes], None] | None = None) -> None:
    """Set one field of a site; ``lat``/``lon`` are numbers, others text.

    Raises
    ------
    GazetteerError
        If the site or field is unknown, the value is invalid, or the guard
        (see :func:`add_site`) refuses the result.
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

    def change(sites: Any) -> str:
        _site(sites, site_id, path)[field] = parsed
        return site_id

    def in_place(text: str, sites: Any) -> str | None:
        """Replace a one-line value where it stands, keeping its line's comment."""
        entry = _site(sites, site_id, path)
        if field not in entry or not isinstance(entry[field], (str, int, float)):
            return None
        line_no, column = entry.lc.value(field)
        lines = text.splitlines(keepends=True)
        line = lines[line_no]
        match = _ONE_LINE_VALUE.match(line, column)
        if match is None or (line_no + 1 < len(lines) and _continues(lines[line_no + 1], column)):
            return None
        lines[line_no] = line[:column] + _scalar(parsed) + line[match.end(1):]
        return "".join(lines)

    edit_sites(path, change, in_place=in_place, guard=guard)


def add_alias(path: Path, site_id: str, alias: str, *,
              guard: Callable[[bytes], None] | None = None) -> None:
    """Add an alias to a site.

    Raises
    ------
    GazetteerError
        If the site is unknown, already has the alias, or the guard (see
        :func:`add_site`) refuses the result.
    """

    def change(sites: Any) -> str:
        entry = _site(sites, site_id, path)
        aliases = entry.get("aliases")
        if aliases is None:
            entry.insert(list(entry).index("name") + 1 if "name" in entry else 0,
                         "aliases", _flow([alias]))
        elif alias in aliases:
            raise _fail(path, f"'{alias}' is already an alias of '{site_id}'")
        else:
            aliases.append(alias)
        return site_id

    edit_sites(path, change, guard=guard)


def remove_site(path: Path, site_id: str) -> None:
    """Remove a site; the comments around it stay.

    Raises
    ------
    GazetteerError
        If the site is unknown.
    """

    def change(sites: Any) -> str:
        _site(sites, site_id, path)
        keys = list(sites)
        position = keys.index(site_id)
        # ruamel keeps the comment lines that follow an entry with that entry;
        # hand them to the entry before, so a section comment survives.
        trailing = sites.ca.items.get(site_id)
        if trailing and position > 0:
            sites.ca.items[keys[position - 1]] = trailing
        del sites[site_id]
        return site_id

    edit_sites(path, change)


def init_gazetteer(path: Path) -> None:
    """Copy the bundled gazetteer, comments and all, to a new file.

    Raises
    ------
    GazetteerError
        If the file exists or can't be written.
    """
    if path.exists():
        raise _fail(path, "file exists; choose a new name or edit it directly")
    try:
        write_atomic(path, bundled_path().read_bytes())
    except OSError as err:
        raise _fail(path, f"can't write: {err.strerror or err}") from None
