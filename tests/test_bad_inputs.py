"""The corpus of bad inputs: each file gets exactly its expected output, never a traceback.

A case is ``CASE.expected`` (what stderr must be) beside its input ``CASE.<ext>``.
By default the input is a dataset run through ``validate`` and ``render``. A
case with ``CASE.args`` runs that command line instead, on a copy of the input
in a temporary folder (``{input}`` names the copy, ``{tmp}`` the folder); its
stdout must equal ``CASE.stdout`` when that file exists. An expected output
whose last line starts with ``Error:`` means exit 1 and the copy left
byte-identical; anything else means exit 0.
"""

from __future__ import annotations

from pathlib import Path
import shlex
import shutil

from click.testing import CliRunner
import pytest

from shiproute.cli import main

CORPUS = Path(__file__).parent / "data" / "bad"
CASES = sorted(p.stem for p in CORPUS.glob("*.expected"))
SIDE_FILES = {".expected", ".args", ".stdout"}


def _input(case: str) -> Path:
    (found,) = [p for p in CORPUS.glob(f"{case}.*") if p.suffix not in SIDE_FILES]
    return found


def test_the_corpus_covers_every_case_the_issues_list() -> None:
    # 20 cases from the hardening issue, one per item 1-14 of the numbers issue
    assert len(CASES) == 35 and all(_input(c).is_file() for c in CASES)


@pytest.mark.parametrize("case", [c for c in CASES if not (CORPUS / f"{c}.args").exists()])
def test_bad_dataset_gives_exactly_the_expected_message(
    case: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "map.html"
    expected = (CORPUS / f"{case}.expected").read_text(encoding="utf-8")
    checked = CliRunner().invoke(main, ["validate", f"{case}.yaml"])
    assert checked.stderr == expected
    assert "Traceback" not in checked.stderr
    rendered = CliRunner().invoke(main, ["render", f"{case}.yaml", "-o", str(out), "--no-cache"])
    if expected.startswith("Error: "):
        assert (checked.exit_code, rendered.exit_code) == (1, 1)
        assert rendered.stderr == expected
        assert not out.exists()
    else:  # a warning only
        assert checked.exit_code == 0 and rendered.exit_code == 0


@pytest.mark.parametrize("case", [c for c in CASES if (CORPUS / f"{c}.args").exists()])
def test_bad_command_gives_exactly_the_expected_output(
    case: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = _input(case)
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    monkeypatch.chdir(tmp_path)
    line = (CORPUS / f"{case}.args").read_text(encoding="utf-8")
    args = [a.format(input=copy.name, tmp=tmp_path) for a in shlex.split(line)]
    result = CliRunner().invoke(main, args)
    expected = (CORPUS / f"{case}.expected").read_text(encoding="utf-8")
    assert result.stderr == expected
    assert "Traceback" not in result.stderr
    if (CORPUS / f"{case}.stdout").exists():
        assert result.stdout == (CORPUS / f"{case}.stdout").read_text(encoding="utf-8")
    if expected.splitlines()[-1:] and expected.splitlines()[-1].startswith("Error: "):
        assert result.exit_code == 1
        assert copy.read_bytes() == source.read_bytes()
        left = [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")]
        assert left == [copy.name]  # the edit lock file stays, as filelock leaves it
    else:
        assert result.exit_code == 0

