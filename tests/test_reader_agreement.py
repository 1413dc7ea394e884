"""One reader: the fast YAML path and the position-keeping one accept and reject alike.

``fast_document`` (yaml-rs, no positions) may only answer when the answer is
exactly what ``parse_yaml`` (libyaml, positions) gives; otherwise it defers.
So ``read_dataset`` and ``read_gazetteer_file`` (fast first) must agree with
``parse_dataset`` and ``parse_gazetteer`` (positional only, as ``validate`` and
``gazetteer check`` read) on every input: the bad-input corpus, the inputs
on which they once disagreed, and hypothesis-generated YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
import json
import math
from pathlib import Path
import tempfile
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from shiproute.cli import main
from shiproute.errors import DatasetError, GazetteerError
from shiproute.gazetteer.load import load_gazetteer, parse_gazetteer, read_gazetteer_file
from shiproute.gazetteer.resolve import Gazetteer
from shiproute.gazetteer.safeyaml import YamlReadError, fast_document, parse_yaml
from shiproute.routes.load import parse_dataset, read_dataset
from shiproute.routes.model import Dataset

CORPUS = Path(__file__).parent / "data" / "bad"
CURATED = load_gazetteer(reference=False)
SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
TAIL = "sources:\n  s1: {title: S}\nlegs:\n  - {from: Rajin, to: Vladivostok, mode: sea, "
USAGE_DATE = ("is not a date; use YYYY, YYYY-MM, YYYY-MM-DD, 'Sep 2023', 'Aug - Oct 2023', "
              "START/END, 2023-Q4, 2023-H2, early/mid/late 2023 or 2023-09, "
              "'on or before 2023-09-12' or 'since 2023-10'")
REPRODUCERS = {
    "tag": ("title: !evil T\n" + TAIL + "sources: [s1]}\n",
            "1:8: YAML tag '!evil' is not allowed; write plain values without tags"),
    "int tag": ("title: t\n" + TAIL + 'volume: !!int "300", sources: [s1]}\n',
                "5:55: YAML tag '!!int' is not allowed; write plain values without tags"),
    "binary tag": ("title: t\n" + TAIL + "carrier: !!binary aGVsbG8=, sources: [s1]}\n",
                   "5:56: YAML tag '!!binary' is not allowed; write plain values without "
                   "tags"),
    "datetime with zone": ("title: t\n" + TAIL + "depart: 2023-09-08T10:00:00+03:00, "
                           "sources: [s1]}\n",
                           "5:55: leg 1: bad date in 'depart': '2023-09-08T10:00:00+03:00' "
                           + USAGE_DATE),
    "NEL in text": ("title: a\x85b\n" + TAIL + "sources: [s1]}\n",
                    "3:1: invalid YAML: while scanning a simple key could not find "
                    "expected ':'"),
    "title a list": ("title: [a, b]\n" + TAIL + "sources: [s1]}\n",
                     "1:8: dataset: 'title' must be text, not a list"),
    "description a mapping": ("title: t\ndescription: {a: b}\n" + TAIL + "sources: [s1]}\n",
                              "2:14: dataset: 'description' must be text, not a mapping"),
    "underscore number": ("title: t\n" + TAIL + "volume: 1_000, sources: [s1]}\n",
                          "5:55: leg 1: '1_000' is not a quantity; write e.g. 300, about "
                          "300, 300-400, 300+, more than 300, at least 300, at most 300"),
    "keys 1 and 1.0": ("title: t\n" + TAIL + "attributes: {1: a, 1.0: b}, sources: [s1]}\n",
                       "5:66: duplicate key 1.0 (first at line 5); remove one of them"),
}


def _same(a: Any, b: Any) -> bool:
    """Whether two read values are equal with the same types (a YamlMap is a dict)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b) and \
            all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and \
            all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def _contents(dataset: Dataset | None) -> object:
    """Every field of a dataset, mappings in order (a Dataset compares by identity)."""
    if dataset is None:
        return None
    values = (getattr(dataset, f.name) for f in fields(dataset))
    return [list(v.items()) if isinstance(v, Mapping) else v for v in values]


def _documents_agree(data: bytes) -> None:
    fast = fast_document(data, "f.yaml")
    if fast is None:
        return  # deferred: parse_yaml decides
    slow = parse_yaml(data, "f.yaml")  # raises if it would refuse what fast took
    assert slow.problems == ()
    assert _same(fast.value, slow.value)


def _datasets_agree(data: bytes, gazetteer: Gazetteer, folder: Path) -> None:
    path = folder / "d.yaml"
    path.write_bytes(data)
    expected, problems = parse_dataset(data, str(path), gazetteer)
    try:
        found = read_dataset(path, gazetteer)
    except DatasetError as err:
        assert expected is None
        assert list(err.problems) == problems
    else:
        assert _contents(found) == _contents(expected)


def _gazetteers_agree(data: bytes, folder: Path) -> None:
    path = folder / "g.yaml"
    path.write_bytes(data)
    try:
        document = parse_yaml(data, str(path))
    except YamlReadError as err:
        expected_sites, expected_problems = None, [err.problem]
    else:
        sites, _mapping, found = parse_gazetteer(document)
        expected_sites = None if found.has_errors else sites
        expected_problems = list(found)
    try:
        got = read_gazetteer_file(path)
    except GazetteerError as err:
        assert expected_sites is None
        assert list(err.problems) == expected_problems
    else:
        assert expected_sites is not None and list(got.items()) == list(expected_sites.items())


CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_file_is_read_alike_by_both_paths(path: Path, gazetteer: Gazetteer,
                                                 tmp_path: Path) -> None:
    data = path.read_bytes()
    _documents_agree(data)
    _datasets_agree(data, gazetteer, tmp_path)
    _gazetteers_agree(data, tmp_path)


@pytest.mark.parametrize("case", list(REPRODUCERS))
def test_once_disagreeing_input_is_read_alike(case: str, gazetteer: Gazetteer,
                                              tmp_path: Path) -> None:
    data = REPRODUCERS[case][0].encode()
    _documents_agree(data)
    _datasets_agree(data, gazetteer, tmp_path)
    _gazetteers_agree(data, tmp_path)


@pytest.mark.parametrize("case", list(REPRODUCERS))
def test_validate_and_legs_give_the_same_error(case: str, tmp_path: Path) -> None:
    text, message = REPRODUCERS[case]
    path = tmp_path / "x.yaml"
    path.write_bytes(text.encode())
    validated = CliRunner().invoke(main, ["validate", "--no-routes", str(path)])
    listed = CliRunner().invoke(main, ["legs", str(path)])
    rendered = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "m.html")])
    expected = f"Error: {path}:{message}\n"
    for result in (validated, listed, rendered):
        assert (result.exit_code, result.stderr) == (1, expected)
    assert not (tmp_path / "m.html").exists()


SITE = "sites:\n  x: {{name: X, kind: port, country: RU, lat: {lat}, lon: 131}}\n"
GAZETTEER_REPRODUCERS = {
    "tag": (SITE.format(lat="!!float 43"),
            "2:46: YAML tag '!!float' is not allowed; write plain values without tags"),
    "underscore number": (SITE.format(lat="4_3"),
                          "2:46: site 'x': 'lat' must be a number, not the text '4_3'"),
    "hex number": (SITE.format(lat="0x2B"), ""),
    "number as id": ("sites:\n  1: {name: X, kind: port, country: RU, lat: 43, lon: 131}\n",
                     "2:3: site 1: a site id must be text"),
}


@pytest.mark.parametrize("case", list(GAZETTEER_REPRODUCERS))
def test_gazetteer_check_and_resolve_give_the_same_answer(case: str, tmp_path: Path) -> None:
    text, message = GAZETTEER_REPRODUCERS[case]
    path = tmp_path / "g.yaml"
    path.write_text(text)
    checked = CliRunner().invoke(main, ["gazetteer", "check", str(path)])
    resolved = CliRunner().invoke(main, ["resolve", "X", "--gazetteer", str(path)])
    if message:
        for result in (checked, resolved):
            assert (result.exit_code, result.stderr) == (1, f"Error: {path}:{message}\n")
    else:  # 0x2B is 43 to both readers
        assert (checked.exit_code, checked.stdout) == (0, f"{path}: OK\n")
        assert (resolved.exit_code, resolved.stdout.splitlines()[1]) == (0, "  at 43.0000, "
                                                                            "131.0000")


def test_the_fast_path_reads_the_bundled_files_and_a_plain_dataset() -> None:
    from shiproute.gazetteer.load import bundled_path
    from shiproute.routes.load import bundled_dataset_path

    plain = ("title: t\nlegs:\n" + "  - {from: Rajin, to: Dunay, mode: sea, volume: 300,"
             " note: 'a \"b\" c', depart: 2023-09-08}\n" * 3).encode()
    for data in (bundled_path().read_bytes(), bundled_dataset_path().read_bytes(), plain):
        document = fast_document(data, "f.yaml")
        assert document is not None and _same(document.value, parse_yaml(data, "f").value)


# --- hypothesis-generated YAML ------------------------------------------------

TOKENS = [
    "a", "b c", "Rajin", "0", "00", "1", "-3", "+1", "1.", ".5", "1e5", "1E5", "1e400",
    "9" * 400, "0x1F", "0X1F", "0o17", "0b101", "+0x1", "1_000", "1_", "._0", ".inf", ".Inf",
    ".iNf", "-.inf", ".nan", ".NaN", "~", "null", "Null", "NULL", "true", "True", "false",
    "yes", "no", "2023-09-08", "2023-09-08T10:00:00+03:00", "2023-09-08 10:00:00", "12:30",
    "<<", "=", "-", "a:b", "a #b", "é", "😀", "ا", "\u200c",
]
CHARS = list("ab 1-_.:#'\"\\,[]{}!&*?|>%@`é😀\t\r\n\x85\u2028\u2029\ufeff\x0b\x7f")
TAGS = ["!evil ", "!!int ", "!!str ", "!!binary ", "!!float ", "! ", "!!python/object:os.system "]

MILD = list("ab 1-.:#'\"\\,[]{}é😀\n")
mild_texts = st.text(alphabet=st.sampled_from(MILD), max_size=10)
odd_texts = st.text(alphabet=st.sampled_from(CHARS), max_size=10)
odd_words = st.sampled_from(TOKENS) | st.text(
    alphabet=st.sampled_from(list("ab19_.+-eExo")), min_size=1, max_size=6)
mild_words = st.sampled_from([t for t in TOKENS if not any(c in t for c in "_xXob.")]) | \
    st.text(alphabet=st.sampled_from(list("abé19-")), min_size=1, max_size=6)


@st.composite
def scalar(draw: st.DrawFn, indent: int, hostile: bool) -> str:
    """A scalar in one of YAML's styles; when ``hostile``, odd characters, tags, anchors."""
    style = draw(st.sampled_from(["plain", "plain", "single", "double", "literal", "folded",
                                  "json"]))
    word = draw(odd_words | odd_texts if hostile else mild_words | mild_texts)
    if style == "plain":
        text = word
    elif style == "single":
        text = "'" + word.replace("'", "''") + "'"
    elif style == "double":
        text = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif style == "json":
        text = json.dumps(word, ensure_ascii=draw(st.booleans()))
    else:
        header = draw(st.sampled_from(["|", ">", "|-", ">+", "|2", ">-"]))
        pad = " " * (indent + 2)
        body = "".join(f"\n{pad}{line}" for line in word.split("\n")) if word else ""
        text = header + body + "\n" + " " * indent
    prefix = draw(st.sampled_from(["", "&x ", *TAGS])) if hostile else ""
    return prefix + text


@st.composite
def node(draw: st.DrawFn, depth: int, indent: int, hostile: bool) -> str:
    """A scalar, a flow collection, or a block collection at ``indent``."""
    kind = draw(st.sampled_from(["scalar", "flow", "block"] if depth < 3 else ["scalar"]))
    if kind == "scalar":
        return draw(scalar(indent, hostile))
    texts, words = (odd_texts, odd_words) if hostile else (mild_texts, mild_words)
    if kind == "flow":
        items = draw(st.lists(words | texts.map(json.dumps), max_size=3))
        if hostile and draw(st.booleans()):
            items.append("*x")
        if draw(st.booleans()):
            return "[" + ", ".join(items) + "]"
        return "{" + ", ".join(f"{k}: {v}" for k, v in zip(items, items[::-1],
                                                            strict=True)) + "}"
    pad = " " * (indent + 2)
    if draw(st.booleans()):
        entries = draw(st.lists(node(depth + 1, indent + 2, hostile), min_size=1, max_size=3))
        return "".join(f"\n{pad}- {entry}" for entry in entries)
    odd_keys = ["? a", "1", "1.0", "true", "&k k", "*x"] if hostile else ["1", "true"]
    keys = draw(st.lists(words | st.sampled_from(odd_keys), min_size=1, max_size=3,
                         unique=not hostile))
    return "".join(f"\n{pad}{key}: {draw(node(depth + 1, indent + 2, hostile))}"
                   for key in keys)


@st.composite
def document(draw: st.DrawFn) -> bytes:
    """A YAML-ish document: a top mapping; a hostile one may add directives or documents."""
    hostile = draw(st.booleans())
    keys = draw(st.lists(odd_words if hostile else mild_words, min_size=1, max_size=4,
                         unique=not hostile))
    body = "".join(f"{key}: {draw(node(1, 0, hostile))}\n" for key in keys)
    if not hostile:
        return body.encode()
    head = draw(st.sampled_from(["", "---\n", "%YAML 1.1\n---\n", "\ufeff"]))
    tail = draw(st.sampled_from(["", "...\n", "---\nb: 2\n", "\r\n", "\t"]))
    return (head + body + tail).encode()


@st.composite
def dataset(draw: st.DrawFn) -> bytes:
    """A dataset of valid legs whose free fields hold scalars in every style, some odd."""
    hostile = draw(st.booleans())
    legs = []
    for _ in range(draw(st.integers(1, 3))):
        origin, destination = draw(st.permutations(["Rajin", "Vladivostok", "Dunay"]))[:2]
        fields = [f"from: {origin}", f"to: {destination}", "mode: sea", "sources: [s1]"]
        for key in draw(st.lists(st.sampled_from(["volume", "note", "carrier", "depart",
                                                  "unit"]), unique=True, max_size=3)):
            fields.append(f"{key}: {draw(scalar(4, hostile))}")
        legs.append("  - " + "\n    ".join(fields))
    title = draw(scalar(0, hostile))
    return f"title: {title}\nsources:\n  s1: {{title: S}}\nlegs:\n{chr(10).join(legs)}\n" \
        .encode()


@SETTINGS
@given(document() | dataset())
def test_generated_yaml_is_read_alike_by_both_paths(data: bytes) -> None:
    _documents_agree(data)


@SETTINGS
@given(dataset() | document())
def test_generated_datasets_and_gazetteers_are_read_alike(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _datasets_agree(data, CURATED, Path(folder))
        _gazetteers_agree(data, Path(folder))
