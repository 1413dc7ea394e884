"""Editing gazetteer files: byte-exact round trips, locks, atomic writes, real kills."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
import time

from click.testing import CliRunner
import pytest

from shiproute.cli import main
from shiproute.errors import GazetteerError
from shiproute.gazetteer.edit import add_alias, add_site, init_gazetteer, remove_site, set_field
from shiproute.gazetteer.load import bundled_path, read_gazetteer_file

HAND_WRITTEN = """\
# my sites -- kept under git
sites:

    # --- ports ---
    harbour-a:
        name: "Harbour A"     # quoted on purpose
        aliases:
            - Port A
            - 'Porto A'
        kind: port
        country: RU
        lat: 43.1000
        lon: 131.9000

    depot-b:
        name: Depot B
        kind: depot
        country: RU
        lat: 45.8750
        lon: 40.0450
        note: >-
          Folded note that
          spans two lines.
"""


def _diff(old: str, new: str) -> list[str]:
    return [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="",
                                                   n=0) if line[:1] in "+-" and line[:3] not in
            ("+++", "---")]


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


def test_alias_changes_only_its_line_in_the_bundled_copy(tmp_path: Path) -> None:
    path = tmp_path / "copy.yaml"
    init_gazetteer(path)
    original = path.read_bytes()
    assert original == bundled_path().read_bytes()
    add_alias(path, "dunay", "Dunai pier")
    assert _diff(original.decode(), path.read_text(encoding="utf-8")) == [
        "-    aliases: [Dunai, Dunay port, Port Dunay, Дунай]",
        "+    aliases: [Dunai, Dunay port, Port Dunay, Дунай, Dunai pier]",
    ]


def test_edits_keep_comments_quotes_indentation_and_blank_lines(mine: Path) -> None:
    add_alias(mine, "harbour-a", "Gavan A")
    set_field(mine, "depot-b", "lat", "45.88")
    assert _diff(HAND_WRITTEN, mine.read_text(encoding="utf-8")) == [
        "+            - Gavan A",
        "-        lat: 45.8750",
        "+        lat: 45.88",
    ]


def test_remove_keeps_the_comment_above_the_next_site(mine: Path) -> None:
    add_site(mine, "c", {"name": "C", "kind": "city", "country": "RU", "lat": 50, "lon": 60})
    remove_site(mine, "harbour-a")
    text = mine.read_text(encoding="utf-8")
    assert "# --- ports ---" in text and "# my sites -- kept under git" in text
    assert list(read_gazetteer_file(mine)) == ["depot-b", "c"]


def test_add_refuses_an_existing_id_with_its_line(mine: Path) -> None:
    with pytest.raises(GazetteerError) as caught:
        add_site(mine, "depot-b", {"name": "X", "kind": "depot", "country": "RU", "lat": 1,
                                   "lon": 1})
    assert str(caught.value) == (
        f"{mine}: site 'depot-b' already exists (line 15); use 'shiproute gazetteer set' to "
        "change it"
    )


def test_invalid_edit_leaves_the_file_untouched(mine: Path) -> None:
    with pytest.raises(GazetteerError) as caught:
        set_field(mine, "depot-b", "lat", "95")
    assert "latitude 95 is outside [-90, 90]" in str(caught.value)
    assert mine.read_text(encoding="utf-8") == HAND_WRITTEN


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "astara", "--name", "Astara", "--lat", "48.88", "--lon", "38.43", "--kind",
          "port", "--country", "IR"],
         "site 'astara': 48.88, 38.43 lies 1,113 km outside IR; lat and lon look swapped"),
        (["add", "harbour-c", "--name", "Harbour C", "--alias", "Porto A", "--lat", "43.2",
          "--lon", "131.8", "--kind", "port", "--country", "RU"],
         "site 'harbour-c': name or alias 'Porto A' also names site 'harbour-a' ('Porto A'); "
         "it would be ambiguous"),
        (["alias", "depot-b", "Harbour A"],
         "site 'depot-b': name or alias 'Harbour A' also names site 'harbour-a' ('Harbour A'); "
         "it would be ambiguous"),
        (["set", "depot-b", "country", "KZ"],
         "site 'depot-b': 45.875, 40.045 lies 573 km outside KZ"),
    ],
)
def test_edits_that_check_would_reject_need_force(mine: Path, args: list[str],
                                                  message: str) -> None:
    before = mine.read_bytes()
    refused = CliRunner().invoke(main, ["gazetteer", *args, "--gazetteer", str(mine)])
    assert refused.exit_code == 1
    assert refused.stderr == (f"Error: {mine}: {message}; nothing was written "
                              "(--force writes it anyway)\n")
    assert mine.read_bytes() == before
    forced = CliRunner().invoke(main, ["gazetteer", *args, "--force", "--gazetteer", str(mine)])
    assert forced.exit_code == 0, forced.stderr
    assert mine.read_bytes() != before
    checked = CliRunner().invoke(main, ["gazetteer", "check", str(mine)])
    assert checked.exit_code == 1 and message in checked.stderr


def test_bundled_gazetteer_is_never_edited() -> None:
    before = bundled_path().read_bytes()
    with pytest.raises(GazetteerError, match="the bundled gazetteer is read-only"):
        add_alias(bundled_path(), "rajin", "X")
    assert bundled_path().read_bytes() == before


def test_cli_edit_without_a_user_gazetteer_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHIPROUTE_GAZETTEER", raising=False)
    result = CliRunner().invoke(main, ["gazetteer", "alias", "rajin", "X"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no gazetteer of yours to edit (the bundled one is read-only); start one with "
        "'shiproute gazetteer init FILE', then pass --gazetteer FILE or set "
        "SHIPROUTE_GAZETTEER=FILE\n"
    )


def test_edits_go_to_the_first_gazetteer_of_shiproute_gazetteer(
    tmp_path: Path, mine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("sites: {}\n", encoding="utf-8")
    monkeypatch.setenv("SHIPROUTE_GAZETTEER", f"{mine}{os.pathsep}{other}")
    result = CliRunner().invoke(main, ["gazetteer", "alias", "depot-b", "Arsenal B"])
    assert result.exit_code == 0, result.stderr
    assert "Arsenal B" in mine.read_text(encoding="utf-8")
    assert other.read_text(encoding="utf-8") == "sites: {}\n"
    listed = CliRunner().invoke(main, ["gazetteer", "path"]).stdout.splitlines()
    assert listed[:2] == [f"1. {mine}  [SHIPROUTE_GAZETTEER]",
                          f"2. {other}  [SHIPROUTE_GAZETTEER]"]
    assert listed[2].endswith("[bundled] (read-only)")


def test_fifty_concurrent_alias_commands_lose_no_edit(mine: Path) -> None:
    exe = Path(sys.executable).with_name("shiproute")
    procs = [subprocess.Popen([str(exe), "gazetteer", "alias", "harbour-a", f"alias-{i}",
                               "--gazetteer", str(mine)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(50)]
    failures = [p.stderr.read() for p in procs if p.wait(timeout=180) != 0]  # type: ignore[union-attr]
    assert failures == []
    aliases = read_gazetteer_file(mine)["harbour-a"].aliases
    assert sorted(aliases) == sorted(["Port A", "Porto A", *[f"alias-{i}" for i in range(50)]])


EDIT_LOOP = """
import sys
from pathlib import Path
from shiproute.gazetteer.edit import add_alias
path = Path(sys.argv[1])
for i in range(10_000):
    add_alias(path, "depot-b", f"name-{i}")
    print(i, flush=True)
"""


def test_sigkill_during_edits_leaves_the_old_or_the_new_file(mine: Path) -> None:
    rng = random.Random(7)
    seen_counts = []
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", EDIT_LOOP, str(mine)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None
        proc.stdout.readline()  # at least one edit has happened: the loop is running
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        sites = read_gazetteer_file(mine)  # parses: never truncated or half-written
        aliases = sites["depot-b"].aliases
        assert aliases == tuple(f"name-{i}" for i in range(len(aliases)))[:len(aliases)] or \
            all(a.startswith("name-") for a in aliases)
        seen_counts.append(len(aliases))
    assert seen_counts == sorted(seen_counts) and seen_counts[-1] > 0
