"""Run mypy (strict) on the ``shiproute`` package as it installs.

The repository keeps ``gazetteer/``, ``routes/`` and ``maps/`` at the top and
installs them as ``shiproute.gazetteer`` ... (setuptools ``package_dir``; an
editable install maps them with an import hook, which mypy can't follow). This
script builds the installed layout as a tree of symbolic links in a temporary
directory, runs mypy there with the project's configuration, and prints its
messages with the repository's own paths.

Usage::

    python tools/typecheck.py          # exit status is mypy's
"""

from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys
import tempfile

ROOT = Path(__file__).resolve().parents[1]
MAPPED = ("gazetteer", "routes", "maps", "seeds")


def link_tree(target: Path) -> None:
    """Lay out ``target/shiproute`` as the wheel does, with links to the repository's files."""
    package = target / "shiproute"
    package.mkdir()
    for entry in (ROOT / "shiproute").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for folder in MAPPED:
        (package / folder).symlink_to(ROOT / folder)


def main() -> int:
    """Run mypy on the linked tree; return its exit status."""
    with tempfile.TemporaryDirectory() as tmp:
        link_tree(Path(tmp))
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "setup.cfg"),
             "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "shiproute"],
            cwd=tmp, capture_output=True, text=True, env={**os.environ, "MYPYPATH": ""},
        )
    out = result.stdout + result.stderr
    for folder in MAPPED:
        out = out.replace(f"shiproute/{folder}/", f"{folder}/")
    print(out, end="")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
