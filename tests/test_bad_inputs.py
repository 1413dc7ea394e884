"""The corpus of bad inputs: each file gets exactly its expected message, never a traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
import pytest

from shiproute.cli import main

CORPUS = Path(__file__).parent / "data" / "bad"
CASES = sorted(p.stem for p in CORPUS.glob("*.yaml"))


def test_the_corpus_covers_every_case_the_issue_lists() -> None:
    assert len(CASES) == 20 and all((CORPUS / f"{c}.expected").is_file() for c in CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_exactly_the_expected_message(
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
