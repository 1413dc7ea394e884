"""The safe, position-keeping YAML reader."""

from __future__ import annotations

import itertools

import pytest

from shiproute.gazetteer.safeyaml import YamlReadError, parse_yaml


def test_values_keep_their_line_and_column() -> None:
    doc = parse_yaml(b"a: 1\nb:\n  - x\n  - {c: d}\n", "f.yaml")
    assert doc.value["a"] == 1
    assert doc.value.value_marks["a"] == (1, 4)
    assert doc.value["b"].item_marks == [(3, 5), (4, 5)]
    assert doc.value["b"][1].key_marks["c"] == (4, 6)


def test_scalars_follow_yaml_1_2_so_dates_and_no_stay_text() -> None:
    text = b"d: 2023-09-08\nn: no\ny: yes\nt: true\ni: 0x1F\nf: 1.5e3\nz: ~\ns: '12'\n"
    doc = parse_yaml(text, "f")
    assert doc.value == {
        "d": "2023-09-08", "n": "no", "y": "yes", "t": True, "i": 31, "f": 1500.0,
        "z": None, "s": "12",
    }


def test_duplicate_key_is_reported_with_both_lines_and_first_value_kept() -> None:
    doc = parse_yaml(b"a: 1\nb: 2\na: 3\n", "f.yaml")
    assert doc.value["a"] == 1
    assert [str(p) for p in doc.problems] == [
        "f.yaml:3:1: duplicate key 'a' (first at line 1); remove one of them"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a: !!python/object:os.system x\n",
         "f.yaml:1:4: YAML tag '!!python/object:os.system' is not allowed; "
         "write plain values without tags"),
        (b"a: 1\nb: \xff\n", "f.yaml:2:4: not UTF-8 text (byte 0xff); save the file as UTF-8"),
        (b"a: b\x00c\n",
         "f.yaml:1:5: NUL character in the file; it is binary or corrupt, not YAML text"),
        (b"a: &x [*x]\n", "f.yaml:1:8: alias *x refers to itself; remove the recursion"),
        (b"a: 1\n---\nb: 2\n",
         "f.yaml:2:1: more than one YAML document (a second '---'); keep one per file"),
        (b"[" * 100_000, "f.yaml:1:65: nested deeper than 64 levels; flatten the file"),
    ],
)
def test_hostile_or_broken_input_is_refused_with_position(data: bytes, message: str) -> None:
    with pytest.raises(YamlReadError) as caught:
        parse_yaml(data, "f.yaml")
    assert str(caught.value) == message


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(YamlReadError) as caught:
        parse_yaml(b"a: 1\nb: [1, 2\nc: 3\n", "f.yaml")
    assert str(caught.value).startswith("f.yaml:3:2: invalid YAML:")


def test_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(YamlReadError) as caught:
        parse_yaml("\n".join(lines).encode(), "bomb.yaml")
    assert "alias bomb" in str(caught.value)


def test_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(YamlReadError) as caught:
        parse_yaml(b"a: " + b"x" * (50 * 1024 * 1024), "big.yaml")
    assert str(caught.value) == (
        "big.yaml: file is 50.0 MB, over the 32 MB limit for YAML; "
        "split it, or keep bulk legs in a CSV file"
    )
