"""Read YAML safely and fast, keeping the line and column of every value.

Gazetteers and datasets are hand-written files: a problem must be reported
with its position, every duplicate key must be found (most YAML libraries keep
the last one silently), and hostile input (custom tags, alias bombs, deep
nesting, binary garbage, huge files) must be refused with a clear message.

The file is read from the event stream of libyaml's C parser (PyYAML), built
into plain ``dict``/``list`` subclasses that remember positions. Scalars are
resolved with the YAML 1.2 core schema, so ``2023-09-08`` and ``no`` stay
strings; dates are interpreted in one place, :mod:`shiproute.routes.dates`.

Files are read by :func:`read_limited`, which refuses anything that is not a
regular file (a device, a FIFO, a directory) and anything over
:data:`MAX_BYTES` before reading it. :func:`fast_document` reads the common
case without positions (yaml-rs), and hands every file it can't prove the
position-keeping reader would read the same way back to :func:`parse_yaml`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
import math
from pathlib import Path
import re
from typing import Any, Union

from shiproute.errors import Problem
from shiproute.files import FileTooBigError, NotRegularFileError, read_bounded

Mark = tuple[int, int]
"""A 1-based (line, column) position in a file."""
NO_MARK: Mark = (0, 0)
"""The position of a problem with the whole file, or of a value read without positions."""

Scalar = Union[str, int, float, bool, None]  # noqa: UP007 (a runtime alias on 3.10)

MAX_BYTES = 32 * 1024 * 1024
"""Largest dataset or gazetteer file read, in bytes (32 MB)."""
MAX_DEPTH = 64
MAX_VALUES = 5_000_000
MAX_INT_DIGITS = 4300
"""Longest decimal integer read, in digits: Python's own limit for turning text into an int."""

_STR_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {None, "!", _STR_TAG}

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}
_NO_KEY = object()
_INFS = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}


class YamlMap(dict[Any, Any]):
    """A mapping read from YAML, with the position of each key and value."""

    __slots__ = ("key_marks", "mark", "value_marks")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}


class YamlSeq(list[Any]):
    """A sequence read from YAML, with the position of each item."""

    __slots__ = ("item_marks", "mark")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.item_marks: list[Mark] = []


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """The value of a YAML file and the non-fatal problems met reading it.

    Parameters
    ----------
    path
        The file's name as the user gave it, used in messages.
    value
        The top-level value: a :class:`YamlMap`, :class:`YamlSeq`, a scalar,
        or ``None`` for an empty file.
    problems
        Duplicate keys and similar problems that did not stop the reading.
    """

    path: str
    value: Any
    problems: tuple[Problem, ...] = field(default=())


class YamlReadError(Exception):
    """A file that can't be read as YAML at all; carries one :class:`Problem`."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


SHOWN_CHARS = 60
"""Longest value a message quotes whole; a longer one is cut and its length given."""


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """Return ``text``, or its start and its length when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    return f"{text[:limit - 20]}… ({len(text):,} characters)"


def resolve_plain(text: str) -> Scalar:
    """Give an unquoted YAML scalar its value under the YAML 1.2 core schema.

    Parameters
    ----------
    text
        The scalar as written, without quotes.

    Returns
    -------
    str, int, float, bool or None
        ``None`` for null, booleans for ``true``/``false``, numbers for
        decimal, octal (``0o``) and hex (``0x``) integers and floats;
        every other text, dates included, stays a string.

    Raises
    ------
    ValueError
        For a decimal integer of more than :data:`MAX_INT_DIGITS` digits.
    """
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.fullmatch(text):
        digits = text.lstrip("+-").lstrip("0") or "0"
        if len(digits) > MAX_INT_DIGITS:
            raise ValueError(f"a number of {len(digits):,} digits is too long to read; no "
                             "figure is that long: check it, or quote it if it is text")
        return -int(digits) if text.startswith("-") else int(digits)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text in _INFS:
        return float("inf")
    if text in {"-.inf", "-.Inf", "-.INF"}:
        return float("-inf")
    if text in {".nan", ".NaN", ".NAN"}:
        return float("nan")
    return text


def _mark(event: Any) -> Mark:
    return (event.start_mark.line + 1, event.start_mark.column + 1)


def _fail(path: str, mark: Mark, message: str) -> YamlReadError:
    return YamlReadError(Problem(path, mark[0], mark[1], message))


def _too_big(path: str, size: int, max_bytes: int) -> YamlReadError:
    size_mb = size / 1024 / 1024
    limit_mb = max_bytes / 1024 / 1024
    message = (
        f"file is {size_mb:.1f} MB, over the {limit_mb:.0f} MB limit for YAML; "
        "split it, or keep bulk legs in a CSV file"
    )
    return _fail(path, NO_MARK, message)


def read_limited(path: str | Path, what: str, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a dataset or gazetteer file whole, refusing what can't be one before reading.

    See :func:`shiproute.files.read_bounded`: a device, FIFO, directory or
    socket is refused unopened, a file over ``max_bytes`` unread.

    Parameters
    ----------
    path
        The file; its name is used in messages.
    what
        What the file is, for messages: ``"dataset"`` or ``"gazetteer"``.
    max_bytes
        Largest accepted file, in bytes.

    Returns
    -------
    bytes
        The whole content.

    Raises
    ------
    YamlReadError
        If the file is missing, unreadable, not a regular file or too big.
    """
    name = str(path)
    try:
        return read_bounded(path, max_bytes)
    except NotRegularFileError as err:
        raise _fail(name, NO_MARK, f"not a regular file ({err.kind}); give a YAML file") from None
    except FileTooBigError as err:
        raise _too_big(name, err.size, max_bytes) from None
    except OSError as err:
        raise _fail(name, NO_MARK, f"can't read {what}: {err.strerror or err}") from None


def decode_text(data: bytes, path: str, max_bytes: int = MAX_BYTES) -> str:
    """Return a YAML file's text, refusing oversized, non-UTF-8 or binary input.

    Raises
    ------
    YamlReadError
        Naming the position of the first bad byte.
    """
    if len(data) > max_bytes:
        raise _too_big(path, len(data), max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        message = f"not UTF-8 text (byte 0x{data[err.start]:02x}); save the file as UTF-8"
        raise _fail(path, (line, column), message) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        message = "NUL character in the file; it is binary or corrupt, not YAML text"
        raise _fail(path, (line, column), message)
    return text


def _too_deep(path: str, text: str, max_depth: int) -> YamlReadError:
    """Return the nesting error at the bracket that opens level ``max_depth + 1``.

    libyaml (since PyYAML 6.0.4) refuses flow collections nested 1,000 deep
    while scanning ahead, before any event reaches the builder's own limit;
    this finds where the builder would have stopped, so the message is the same.
    """
    depth, line, column, quote = 0, 1, 0, ""
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                break
        elif char in "]}":
            depth -= 1
    message = f"nested deeper than {max_depth} levels; flatten the file"
    return _fail(path, (line, column), message)


def _events(text: str, path: str, max_depth: int) -> Iterator[Any]:
    import yaml

    try:
        yield from yaml.parse(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as err:
        if "maximum nesting depth" in str(err.problem):
            raise _too_deep(path, text, max_depth) from None
        mark = err.problem_mark or err.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(str(p) for p in (err.context, err.problem) if p)
        raise _fail(path, where, f"invalid YAML: {what}") from None
    except yaml.YAMLError as err:
        raise _fail(path, (0, 0), f"invalid YAML: {err}") from None


class _Builder:
    """Turn a libyaml event stream into positioned dicts, lists and scalars."""

    def __init__(self, path: str, max_depth: int, max_values: int) -> None:
        import yaml  # PyYAML is needed only when positions are

        self.yaml = yaml
        self.path = path
        self.max_depth = max_depth
        self.max_values = max_values
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        # Each frame: [container, anchor, count at start, pending key, key mark]
        self.stack: list[list[Any]] = []
        self.count = 0
        self.root: Any = None
        self.documents = 0

    def _grow(self, n: int, mark: Mark) -> None:
        self.count += n
        if self.count > self.max_values:
            message = (
                f"more than {self.max_values:,} values once aliases are expanded "
                "(an alias bomb?); remove the anchors and aliases"
            )
            raise _fail(self.path, mark, message)

    def _add(self, value: Any, mark: Mark) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, YamlSeq):
            container.append(value)
            container.item_marks.append(mark)
            return
        if frame[3] is _NO_KEY:
            if isinstance(value, (YamlMap, YamlSeq)):
                raise _fail(self.path, mark, "a mapping key must be a plain value")
            frame[3], frame[4] = value, mark
            return
        key, key_mark = frame[3], frame[4]
        frame[3] = _NO_KEY
        if key in container:
            first = container.key_marks[key][0]
            message = (f"duplicate key {shorten(repr(key))} (first at line {first}); "
                       "remove one of them")
            self.problems.append(Problem(self.path, key_mark[0], key_mark[1], message))
            return
        container[key] = value
        container.key_marks[key] = key_mark
        container.value_marks[key] = mark

    def _check_tag(self, tag: str | None, allowed: set[str | None], mark: Mark) -> None:
        if tag not in allowed:
            shown = tag.replace("tag:yaml.org,2002:", "!!") if tag else tag
            message = f"YAML tag {shown!r} is not allowed; write plain values without tags"
            raise _fail(self.path, mark, message)

    def _open(self, container: YamlMap | YamlSeq, event: Any, mark: Mark) -> None:
        self._check_tag(event.tag, _COLLECTION_TAGS, mark)
        if len(self.stack) >= self.max_depth:
            message = f"nested deeper than {self.max_depth} levels; flatten the file"
            raise _fail(self.path, mark, message)
        self._grow(1, mark)
        if event.anchor:
            self.open_anchors.add(event.anchor)
        self.stack.append([container, event.anchor, self.count, _NO_KEY, None])

    def _close(self) -> None:
        container, anchor, start, _key, _mark = self.stack.pop()
        if anchor:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = (container, self.count - start + 1)
        self._add(container, container.mark)

    def feed(self, event: Any) -> None:
        yaml = self.yaml
        mark = _mark(event)
        if isinstance(event, yaml.ScalarEvent):
            self._check_tag(event.tag, _SCALAR_TAGS, mark)
            plain = event.style in (None, "") and event.tag is None
            try:
                value = resolve_plain(event.value) if plain else event.value
            except ValueError as err:
                raise _fail(self.path, mark, str(err)) from None
            self._grow(1, mark)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self._add(value, mark)
        elif isinstance(event, yaml.MappingStartEvent):
            self._open(YamlMap(mark), event, mark)
        elif isinstance(event, yaml.SequenceStartEvent):
            self._open(YamlSeq(mark), event, mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._close()
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                message = f"alias *{event.anchor} refers to itself; remove the recursion"
                raise _fail(self.path, mark, message)
            if event.anchor not in self.anchors:
                raise _fail(self.path, mark, f"alias *{event.anchor} has no anchor")
            value, weight = self.anchors[event.anchor]
            self._grow(weight, mark)
            self._add(value, mark)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                message = "more than one YAML document (a second '---'); keep one per file"
                raise _fail(self.path, mark, message)



def parse_yaml(
    data: bytes,
    path: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_values: int = MAX_VALUES,
) -> YamlDocument:
    """Parse YAML text safely, keeping positions and reporting duplicate keys.

    Parameters
    ----------
    data
        The raw file content; must be UTF-8 (a BOM is allowed).
    path
        The file's name as the user gave it, used in messages.
    max_bytes
        Largest accepted input, in bytes.
    max_depth
        Deepest accepted nesting of mappings and sequences.
    max_values
        Most values accepted, counting every expansion of an alias.

    Returns
    -------
    YamlDocument
        The value and any duplicate-key problems.

    Raises
    ------
    YamlReadError
        If the input is too big, not UTF-8, binary, not valid YAML, uses a
        tag, nests too deeply or expands past ``max_values``.
    """
    text = decode_text(data, path, max_bytes)
    builder = _Builder(path, max_depth, max_values)
    for event in _events(text, path, max_depth):
        builder.feed(event)
    return YamlDocument(path, builder.root, tuple(builder.problems))


_SLOW_CHARACTER = re.compile(r"[!&*?\t\r\x85\u2028\u2029\ufeff]")
_SLOW_LINE = re.compile(r"^(?:%|---|\.\.\.)", re.M)
"""What the two parsers read differently: tags, anchors and aliases, explicit keys,
tabs, carriage returns, YAML 1.1 line breaks, byte order marks (a character), and
directives or document markers (a line start); a conservative net: a '!' or a '?'
in any text matches too. Two searches: one of both took three times as long."""
_ODD_NUMBER = re.compile(
    r"(?<![\w.+-])(?=[\w.+-]*?(?:_|0[bBoOxX]))(?=[\w.+-]*?[0-9])"
    r"[0-9a-fA-FxXoObB._+-]*+(?![\w.+-])"
)
"""A plain word yaml-rs may read as a number and this module as text (``1_000``,
``0b101``, ``0X1F``, ``+0x1F``); hex and octal integers go the slow way too."""
_ODD_HINT = re.compile(r"_|0[bBoOxX]")
"""What every :data:`_ODD_NUMBER` contains; most files have few, and this is quicker."""
_WORD_REST = re.compile(r"[\w.+-]*")


def _word_start(text: str, index: int) -> int:
    r"""Return where the word (a run of ``[\w.+-]``) that reaches ``index`` starts."""
    start = index
    while start:
        window = text[max(0, start - 256):start][::-1]  # read backwards, 256 at a time
        length = _WORD_REST.match(window).end()  # type: ignore[union-attr]
        start -= length
        if length < len(window):
            break
    return start


def _has_odd_number(text: str) -> bool:
    r"""Whether :data:`_ODD_NUMBER` matches anywhere in ``text``, looking only near hints.

    A match is a whole word (a run of ``[\w.+-]``) that holds a hint, so only
    the words around :data:`_ODD_HINT` are tried, each once: searching the whole
    text took 0.7 s for a dataset of 100,000 legs whose kind is ``rail_station``.
    """
    checked = 0
    for hint in _ODD_HINT.finditer(text):
        if hint.start() < checked:
            continue  # in a word already tried
        end = _WORD_REST.match(text, hint.start()).end()  # type: ignore[union-attr]
        if _ODD_NUMBER.match(text, _word_start(text, hint.start()), end):
            return True
        checked = end
    return False


_MAX_INT_BITS = 14_284
"""Integers of fewer bits have at most :data:`MAX_INT_DIGITS` digits."""


def _shape(value: Any, max_depth: int, max_values: int) -> tuple[int, int] | None:
    r"""Count the values and the collections of a document yaml-rs read.

    Returns ``None`` for anything :func:`parse_yaml` reads differently or
    refuses: a key that is not text (``1`` and ``1.0`` are one key in Python
    but two in YAML), a non-finite or too long number, a text of line breaks
    only (yaml-rs reads an empty block scalar as ``"\n"``, libyaml as
    ``""``), another type, nesting over ``max_depth`` or more than
    ``max_values`` values.
    """
    values, collections = 1, 0  # the top value itself
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()  # a dict or a list: scalars are checked where they sit
        if depth > max_depth:
            return None
        collections += 1
        if type(item) is dict:
            if not set(map(type, item)) <= {str}:
                return None
            values += len(item)  # the keys
            item = item.values()
        values += len(item)
        if values > max_values:
            return None
        for child in item:
            kind = type(child)
            if kind is str:
                if child and child[0] == "\n" and not child.strip("\n"):
                    return None
            elif kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is float:
                if not math.isfinite(child):
                    return None
            elif kind is int:
                if child.bit_length() > _MAX_INT_BITS:
                    return None
            elif kind is not bool and child is not None:
                return None
    return values, collections


def fast_document(data: bytes, path: str) -> YamlDocument | None:
    """Read YAML with the fast Rust parser (yaml-rs), without positions.

    The result is exactly what :func:`parse_yaml` would read, or ``None``:
    the caller then reads the file with :func:`parse_yaml`, which decides
    (and reports where a problem is). Only a file of the plain subset of
    YAML that both parsers read alike is read here: a mapping at the top, no
    tags, anchors, aliases, explicit keys, tabs, carriage returns, directives,
    document markers or numbers written with ``_`` or a base prefix, only
    text keys and finite numbers. libyaml (the parser :func:`parse_yaml` uses)
    must accept the same text and find as many values in it; that check runs in
    C and costs about half of yaml-rs's time.

    Parameters
    ----------
    data
        The raw file content.
    path
        The file's name, for the document.

    Returns
    -------
    YamlDocument or None
        ``None`` when yaml-rs is missing, or the file needs a closer look.
    """
    try:
        from yaml import CSafeLoader, YAMLError
        import yaml_rs
    except ImportError:
        return None
    try:
        text = decode_text(data, path)
    except YamlReadError:
        return None
    if _SLOW_CHARACTER.search(text) or _SLOW_LINE.search(text) or _has_odd_number(text):
        return None
    try:
        value = yaml_rs.loads(text, parse_datetime=False)
        events = CSafeLoader(text).raw_parse()  # the parser parse_yaml uses, in C
    except (YAMLError, ValueError, RecursionError):  # YAMLDecodeError is a ValueError
        return None
    shape = _shape(value, MAX_DEPTH, MAX_VALUES) if type(value) is dict else None
    if shape is None or events != 4 + shape[0] + shape[1]:
        return None  # stream and document, each value, and each collection's end
    return YamlDocument(path, value)


def mark_of(value: Any) -> Mark:
    """Return where a mapping or list starts; (0, 0) for values read without positions."""
    return getattr(value, "mark", NO_MARK)


def value_mark(mapping: dict[Any, Any], key: Any) -> Mark:
    """Return where the value of ``key`` is, else where the mapping starts."""
    marks = getattr(mapping, "value_marks", None)
    return marks.get(key, mark_of(mapping)) if marks else mark_of(mapping)


def key_mark(mapping: Mapping[Any, Any], key: Any) -> Mark:
    """Return where ``key`` is written, else where the mapping starts."""
    marks = getattr(mapping, "key_marks", None)
    return marks.get(key, mark_of(mapping)) if marks else mark_of(mapping)


def item_marks(items: list[Any]) -> list[Mark]:
    """Return where each item of a list is; (0, 0) each for lists read without positions."""
    marks = getattr(items, "item_marks", None)
    return marks if marks is not None else [mark_of(items)] * len(items)
