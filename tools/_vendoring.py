"""What every vendoring script shares: build into a folder, or check against a fresh build."""

from __future__ import annotations

import argparse
from collections.abc import Callable
import hashlib
from pathlib import Path
import sys
import tempfile


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(description: str, build: Callable[[Path], list[Path]], out: Path,
        digest: Callable[[Path], str] = sha256) -> None:
    """Re-create the files in ``out``, or with ``--check`` compare a fresh build with them.

    Parameters
    ----------
    description
        The script's one-line summary, for ``--help``.
    build
        Writes the files into a folder and returns their paths.
    out
        Where the shipped files live.
    digest
        What is compared: the file's SHA-256 unless a script passes a digest of its
        content (for files whose bytes may differ between equal builds).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="compare, don't overwrite")
    args = parser.parse_args()
    if not args.check:
        for path in build(out):
            print(f"{digest(path)}  {path.name}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        bad = [p.name for p in build(Path(tmp)) if digest(p) != digest(out / p.name)]
    if bad:
        sys.exit(f"differ from a fresh build: {', '.join(bad)}")
    print(f"the files in {out.name}/ match a fresh build")
