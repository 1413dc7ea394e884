"""Outputs: refused where they would hurt, never half-written when a render is interrupted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import signal
import subprocess
import sys
import time

from click.testing import CliRunner
import pytest

from shiproute.cli import main

EXE = str(Path(sys.executable).with_name("shiproute"))


def test_render_refuses_to_overwrite_a_file_it_did_not_make(tmp_path: Path) -> None:
    theirs = tmp_path / "briefing.html"
    theirs.write_text("<html>someone's briefing</html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "-o", str(theirs)])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {theirs}: exists and is not a map written by shiproute; "
                             "use --force to replace it, or choose another name\n")
    assert theirs.read_text(encoding="utf-8") == "<html>someone's briefing</html>"


def test_render_replaces_its_own_map(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    assert CliRunner().invoke(main, ["render", "-o", str(out)]).exit_code == 0
    assert CliRunner().invoke(main, ["render", "-o", str(out), "--title", "v2"]).exit_code == 0
    assert "v2" in out.read_text(encoding="utf-8")


def test_unwritable_directory_is_one_clear_error() -> None:
    result = CliRunner().invoke(main, ["render", "-o", "/sys/shiproute-map.html"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: /sys/shiproute-map.html: can't write it: Operation not "
                             "permitted; check the permissions and attributes (chattr) or write "
                             "elsewhere\n")


@pytest.fixture(scope="module")
def slow_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset whose render takes a few seconds: 3,000 legs on drawn paths."""
    path = tmp_path_factory.mktemp("slow") / "slow.yaml"
    coords = ", ".join(f"[{42 + i / 100:.3f}, {130 + i / 50:.3f}]" for i in range(200))
    legs = "\n".join(f"  - {{from: Rajin, to: Dunay, mode: sea, path: [{coords}], "
                     f"depart: 2023-09-{1 + i % 28:02d}}}" for i in range(3000))
    path.write_text("legs:\n" + legs + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
@pytest.mark.parametrize("delay", [0.5, 1.5])
def test_interrupted_render_leaves_no_partial_map(
    slow_dataset: Path, tmp_path: Path, sig: signal.Signals, delay: float
) -> None:
    out = tmp_path / "map.html"
    proc = subprocess.Popen([EXE, "render", str(slow_dataset), "-o", str(out), "--no-cache"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    if out.exists():  # the render finished before the signal: then it is whole
        assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    if sig == signal.SIGINT:  # a clean interrupt removes its temporary files too
        assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["map.html"])
    assert b"Traceback" not in err


def test_write_atomic_is_what_render_uses(write: Callable[[str, str], Path]) -> None:
    from shiproute.files import write_atomic

    path = write("f.txt", "old")
    write_atomic(path, b"new")
    assert path.read_text() == "new" and [p.name for p in path.parent.iterdir()] == ["f.txt"]
