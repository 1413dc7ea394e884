"""Gazetteer edits that never corrupt: values that read back, odd files, links, locks, limits."""

from __future__ import annotations

import os
from pathlib import Path
import resource
import signal
import stat
import subprocess
import sys
import unicodedata

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
import pytest

from shiproute.cli import main
from shiproute.errors import GazetteerError
from shiproute.gazetteer.edit import add_alias, edit_sites, set_field
from shiproute.gazetteer.load import read_gazetteer_file
from shiproute.gazetteer.safeyaml import parse_yaml

SHIPROUTE = str(Path(sys.executable).with_name("shiproute"))
SMALL = """\
sites:
  a:
    name: Alpha   # kept
    kind: port
    country: RU
    lat: 43.1
    lon: 131.9
    note: first
  b:
    name: Bravo
    aliases: [Bee]
    kind: port
    country: RU
    lat: 43.2
    lon: 131.95
"""
REFUSED = {"Cc", "Cs", "Zl", "Zp"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SHIPROUTE, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def _temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def _raw_site(path: Path, site_id: str) -> dict[str, object]:
    """The site as the safe reader reads the file: exact values, nothing stripped."""
    return dict(parse_yaml(path.read_bytes(), str(path)).value["sites"][site_id])


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    """A copy of the bundled gazetteer, made with 'gazetteer init'."""
    path = tmp_path / "mine.yaml"
    assert _cli("gazetteer", "init", str(path)).returncode == 0
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


# --- values that YAML would not give back -----------------------------------

@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "rajin", "note", "a\u2028b"],
         "'note' contains U+2028 (line separator) at character 2; values are one line of "
         "plain text: use a space instead"),
        (["set", "tumangang", "note", "plain\u0085b"],
         "'note' contains U+0085 (next line) at character 6; values are one line of plain "
         "text: use a space instead"),
        (["set", "rajin", "name", "Ra\tjin"],
         "'name' contains U+0009 (tab) at character 3; values are one line of plain text: "
         "use a space instead"),
        (["set", "rajin", "note", "two\nlines"],
         "'note' contains U+000A (line feed) at character 4; values are one line of plain "
         "text: use a space instead"),
        (["alias", "rajin", "Na\x1bjin"],
         "'alias' contains U+001B (escape) at character 3; values are one line of plain "
         "text: remove it"),
        (["add", "x", "--name", "X\u2029", "--lat", "43", "--lon", "132", "--kind", "port",
          "--country", "RU"],
         "'name' contains U+2029 (paragraph separator) at character 2; values are one line "
         "of plain text: use a space instead"),
        (["add", "x\ty", "--name", "X", "--lat", "43", "--lon", "132", "--kind", "port",
          "--country", "RU"],
         "'id' contains U+0009 (tab) at character 2; values are one line of plain text: "
         "use a space instead"),
        (["add", "x", "--name", "X", "--alias", "Ex\x7f", "--lat", "43", "--lon", "132",
          "--kind", "port", "--country", "RU"],
         "'alias' contains U+007F (a control character) at character 3; values are one "
         "line of plain text: remove it"),
    ],
)
def test_a_value_yaml_would_not_give_back_is_refused_naming_field_and_character(
    mine: Path, args: list[str], message: str
) -> None:
    before = mine.read_bytes()
    result = _cli("gazetteer", *args, "--gazetteer", str(mine))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: {mine}: {message}; nothing was written\n"
    assert mine.read_bytes() == before


def test_bytes_that_are_not_utf8_in_an_argument_are_refused(mine: Path) -> None:
    before = mine.read_bytes()
    result = subprocess.run([SHIPROUTE, "gazetteer", "set", "rajin", "note", b"\xff",
                             "--gazetteer", str(mine)], capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"Error: {mine}: 'note' contains U+DCFF (not UTF-8) at character 1; values are one "
        "line of plain text: remove it; nothing was written\n")
    assert mine.read_bytes() == before


@pytest.mark.parametrize("separator", ["\u2028", "\u0085"])
@pytest.mark.parametrize("site_id", ["rajin", "tumangang"])  # a folded note, a one-line note
def test_after_a_refused_separator_the_next_edit_stores_exactly_its_value(
    mine: Path, separator: str, site_id: str
) -> None:
    assert _cli("gazetteer", "set", site_id, "note", f"a{separator}b",
                "--gazetteer", str(mine)).returncode == 1
    result = _cli("gazetteer", "set", site_id, "note", "plain", "--gazetteer", str(mine))
    assert (result.returncode, result.stdout, result.stderr) == (
        0, f"{mine}: set {site_id}.note\n", "")
    assert _raw_site(mine, site_id)["note"] == "plain"
    checked = _cli("gazetteer", "check", str(mine))
    assert (checked.returncode, checked.stdout) == (0, f"{mine}: OK\n")


def test_setting_a_folded_note_replaces_its_whole_block_and_nothing_else(mine: Path) -> None:
    before = mine.read_text(encoding="utf-8")
    set_field(mine, "rajin", "note", "Piers on Rajin Bay: moved # not a comment")
    start = before.index("    note: >-\n      Rajin (Najin) port piers")
    stop = before.index("\n\n", start) + 1
    assert mine.read_text(encoding="utf-8") == (
        before[:start] + '    note: "Piers on Rajin Bay: moved # not a comment"\n' + before[stop:])
    assert _raw_site(mine, "rajin")["note"] == "Piers on Rajin Bay: moved # not a comment"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=12))
def test_a_note_is_stored_exactly_unless_it_holds_a_refused_character(
    tmp_path_factory: pytest.TempPathFactory, note: str
) -> None:
    path = tmp_path_factory.mktemp("prop") / "g.yaml"
    path.write_text(SMALL, encoding="utf-8")
    refused = any(unicodedata.category(c) in REFUSED for c in note)
    try:
        set_field(path, "a", "note", note)
    except GazetteerError as err:
        assert refused, str(err)
        assert " contains U+" in str(err)
        assert path.read_text(encoding="utf-8") == SMALL
    else:
        assert not refused
        assert _raw_site(path, "a")["note"] == note
        assert list(read_gazetteer_file(path)) == ["a", "b"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
               max_size=10).filter(lambda t: t.strip() not in ("", "Bee", "Bravo")))
@example("0:?")  # libyaml refuses a plain ':' in a flow list; found by this test
def test_an_alias_in_a_flow_list_reads_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, alias: str
) -> None:
    path = tmp_path_factory.mktemp("prop") / "g.yaml"
    path.write_text(SMALL, encoding="utf-8")
    add_alias(path, "b", alias)
    assert _raw_site(path, "b")["aliases"] == ["Bee", alias]
    assert _raw_site(path, "a") == _raw_site_of_text(SMALL, "a")


def _raw_site_of_text(text: str, site_id: str) -> dict[str, object]:
    return dict(parse_yaml(text.encode(), "x").value["sites"][site_id])


def test_an_edit_that_would_not_read_back_as_intended_is_refused(small: Path) -> None:
    def change(sites: dict[str, dict[str, str]]) -> None:
        sites["a"]["note"] = "written"

    with pytest.raises(GazetteerError) as caught:
        edit_sites(small, "a", change, lambda old: {**old, "note": "intended"})
    assert str(caught.value) == (
        f"{small}: the edited file would not read back as written ('note' of site 'a' would "
        "read 'written', not 'intended'); nothing was written")
    assert small.read_text(encoding="utf-8") == SMALL
    assert _temporaries(small.parent) == []


# --- files that hold odd characters already ---------------------------------

def test_a_tab_elsewhere_in_the_file_is_one_clean_error(small: Path) -> None:
    text = SMALL.replace("note: first", "note: fi\trst")
    small.write_text(text, encoding="utf-8")
    result = _cli("gazetteer", "alias", "b", "Bis", "--gazetteer", str(small))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {small}:8:13: the editor (ruamel.yaml) can't read this file: found character "
        "'\\t' that cannot start any token; replace the tab with spaces, then edit again\n")
    assert small.read_text(encoding="utf-8") == text


def test_an_escaped_tab_in_quotes_does_not_stop_edits(small: Path) -> None:
    text = SMALL.replace("note: first", 'note: "fi\\trst"')
    small.write_text(text, encoding="utf-8")
    result = _cli("gazetteer", "alias", "b", "Bis", "--gazetteer", str(small))
    assert result.returncode == 0, result.stderr
    assert small.read_text(encoding="utf-8") == text.replace("[Bee]", "[Bee, Bis]")
    assert _raw_site(small, "a")["note"] == "fi\trst"


@pytest.mark.parametrize(("char", "name"), [("\u2028", "U+2028 (line separator)"),
                                            ("\u0085", "U+0085 (next line)"),
                                            ("\u2029", "U+2029 (paragraph separator)")])
def test_a_line_separator_already_in_the_file_is_one_clean_error(
    small: Path, char: str, name: str
) -> None:
    text = SMALL.replace('note: first', f'note: "fi{char}rst"')
    small.write_text(text, encoding="utf-8")
    result = _cli("gazetteer", "set", "b", "note", "plain", "--gazetteer", str(small))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {small}:8:14: {name} in the file, which YAML readers disagree on as a line "
        "break; replace it with a space (or a line feed), then edit again\n")
    assert small.read_text(encoding="utf-8") == text


def test_crlf_line_ends_and_a_byte_order_mark_are_kept(small: Path) -> None:
    original = b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode()
    small.write_bytes(original)
    add_alias(small, "a", "Alfa")
    set_field(small, "b", "name", "Bravo port")
    expected = original.replace(b"    name: Alpha   # kept\r\n",
                                b"    name: Alpha   # kept\r\n    aliases: [Alfa]\r\n")
    assert small.read_bytes() == expected.replace(b"name: Bravo\r\n", b"name: Bravo port\r\n")


def test_aliases_written_as_one_text_become_a_list(small: Path) -> None:
    small.write_text(SMALL.replace("aliases: [Bee]", "aliases: Bee"), encoding="utf-8")
    add_alias(small, "b", "Bis")
    assert small.read_text(encoding="utf-8") == SMALL.replace("[Bee]", "[Bee, Bis]")


@pytest.mark.parametrize(("args", "message"), [
    (["set", "rajin", "lat", "nan"], "'lat' must be a finite number, not 'nan'"),
    (["set", "rajin", "lon", "1e400"], "'lon' must be a finite number, not '1e400'"),
    (["add", "x", "--name", "X", "--lat", "inf", "--lon", "132", "--kind", "port",
      "--country", "RU"], "'lat' must be a finite number, not inf"),
])
def test_coordinates_that_are_not_finite_are_refused(mine: Path, args: list[str],
                                                     message: str) -> None:
    before = mine.read_bytes()
    result = CliRunner().invoke(main, ["gazetteer", *args, "--gazetteer", str(mine)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {mine}: {message}\n"
    assert mine.read_bytes() == before


# --- symbolic links and the lock --------------------------------------------

@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A gazetteer in shared/ and a link to it from elsewhere."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "work").mkdir()
    real = tmp_path / "shared" / "real.yaml"
    real.write_text(SMALL, encoding="utf-8")
    link = tmp_path / "work" / "link.yaml"
    link.symlink_to(real)
    return real, link


def test_an_edit_through_a_link_changes_the_shared_file_and_keeps_the_link(
    linked: tuple[Path, Path]
) -> None:
    real, link = linked
    result = _cli("gazetteer", "alias", "a", "Alfa", "--gazetteer", str(link))
    assert (result.returncode, result.stdout) == (0, f"{link}: 'Alfa' is now an alias of 'a'\n")
    assert link.is_symlink() and link.readlink() == real
    assert read_gazetteer_file(real)["a"].aliases == ("Alfa",)
    assert sorted(p.name for p in real.parent.iterdir()) == [".real.yaml.lock", "real.yaml"]
    assert sorted(p.name for p in link.parent.iterdir()) == ["link.yaml"]


HOLD_LOCK = """
import sys
from pathlib import Path
from shiproute.gazetteer.edit import add_alias

def hold(new: bytes) -> None:  # called inside the lock, before the rename
    print("holding", flush=True)
    sys.stdin.readline()

add_alias(Path(sys.argv[1]), "a", "from-the-holder", guard=hold)
"""
TRY_EDIT = """
import sys
from pathlib import Path
from shiproute.errors import GazetteerError
from shiproute.gazetteer.edit import edit_sites
try:
    edit_sites(Path(sys.argv[1]), "a", lambda sites: None, lambda old: old, lock_timeout_s=1)
except GazetteerError as err:
    sys.exit(str(err))
"""


@pytest.mark.parametrize("holder_uses_link", [False, True])
def test_two_paths_to_one_file_exclude_each_other(linked: tuple[Path, Path],
                                                  holder_uses_link: bool) -> None:
    real, link = linked
    holder_path, other_path = (link, real) if holder_uses_link else (real, link)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(holder_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline() == "holding\n"  # inside the lock, about to write
        blocked = subprocess.run([sys.executable, "-c", TRY_EDIT, str(other_path)],
                                 capture_output=True, text=True, timeout=60, check=False)
        assert blocked.returncode == 1
        assert blocked.stderr == (f"{other_path}: another process has been editing this file "
                                  "for 1 s; try again\n")
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == 0
    finally:
        holder.kill()
        holder.wait()
    after = subprocess.run([sys.executable, "-c", TRY_EDIT, str(other_path)],
                           capture_output=True, text=True, timeout=60, check=False)
    assert (after.returncode, after.stderr) == (0, "")
    assert read_gazetteer_file(real)["a"].aliases == ("from-the-holder",)


def test_concurrent_edits_through_a_link_and_the_file_lose_nothing(
    linked: tuple[Path, Path]
) -> None:
    real, link = linked
    procs = [subprocess.Popen([SHIPROUTE, "gazetteer", "alias", "a", f"alias-{i}",
                               "--gazetteer", str(link if i % 2 else real)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(16)]
    failures = [p.stderr.read() for p in procs if p.wait(timeout=180) != 0]  # type: ignore[union-attr]
    assert failures == []
    assert sorted(read_gazetteer_file(real)["a"].aliases) == sorted(
        f"alias-{i}" for i in range(16))
    assert link.is_symlink() and _temporaries(real.parent) == []


# --- what may not be edited, and writes that fail ----------------------------

def test_a_read_only_gazetteer_is_not_edited(linked: tuple[Path, Path]) -> None:
    real, link = linked
    real.chmod(0o444)
    for path in (real, link):
        result = _cli("gazetteer", "alias", "a", "Alfa", "--gazetteer", str(path))
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == (f"Error: {path}: the file is read-only (mode 0444); make it "
                                 f"writable to edit it (chmod u+w {real})\n")
    assert real.read_text(encoding="utf-8") == SMALL
    assert stat.S_IMODE(real.stat().st_mode) == 0o444


def test_devices_and_fifos_are_refused_without_a_lock_file_beside_them(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe (FIFO)"), (Path("/dev/null"), "a character device")):
        result = _cli("gazetteer", "alias", "a", "Alfa", "--gazetteer", str(path))
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == f"Error: {path}: not a regular file ({kind}); give a YAML file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.yaml"]
    assert not Path("/dev/.null.lock").exists()


def test_an_oversized_gazetteer_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(33 * 2**20)  # sparse: nothing is written, nothing need be read
    result = _cli("gazetteer", "alias", "a", "Alfa", "--gazetteer", str(big))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"Error: {big}: file is 33.0 MB, over the 32 MB limit for YAML; "
                             "split it, or keep bulk legs in a CSV file\n")


def _small_file_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(SMALL), len(SMALL)))


def test_a_write_that_fails_leaves_the_file_and_no_temporary_file(small: Path) -> None:
    result = subprocess.run(
        [SHIPROUTE, "gazetteer", "add", "c", "--name", "Charlie", "--lat", "43.3", "--lon",
         "131.9", "--kind", "port", "--country", "RU", "--gazetteer", str(small)],
        capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=_small_file_limit)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"Error: {small}: can't write the edit: File too large; "
                             "nothing was written\n")
    assert small.read_text(encoding="utf-8") == SMALL
    assert _temporaries(small.parent) == []


def test_the_edited_file_keeps_its_mode_and_owner(small: Path) -> None:
    small.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(small, 4321, 4321)
    add_alias(small, "a", "Alfa")
    info = small.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640
    expected_owner = (4321, 4321) if os.geteuid() == 0 else (os.geteuid(), os.getegid())
    assert (info.st_uid, info.st_gid) == expected_owner


def test_a_long_file_name_gets_a_short_lock_and_temporary_name(tmp_path: Path) -> None:
    path = tmp_path / ("g" * 245 + ".yaml")  # 250 bytes: ".NAME.lock" would pass 255
    assert _cli("gazetteer", "init", str(path)).returncode == 0
    result = _cli("gazetteer", "alias", "rajin", "Long", "--gazetteer", str(path))
    assert result.returncode == 0, result.stderr
    assert "Long" in read_gazetteer_file(path)["rajin"].aliases
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert len(hidden) == 1 and hidden[0].endswith(".lock") and len(hidden[0]) == 22
