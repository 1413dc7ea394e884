"""Re-create the JavaScript and CSS assets inlined into every map, from the npm registry.

Leaflet is fetched with ``npm pack``, its tarball integrity (sha512) checked,
and ``leaflet.js``, ``leaflet.css`` (with its images inlined as data URIs, so
no file is requested when a map opens) and its license written to
``maps/assets/``. ``--check`` re-creates them in a temporary directory and
compares hashes.

Usage::

    python tools/vendor_js.py [--check]
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path
import re
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools._vendoring import run

OUT = Path(__file__).resolve().parents[1] / "maps" / "assets"
PACKAGES = {
    "leaflet@1.9.4": (
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        {"dist/leaflet.js": "leaflet.js", "dist/leaflet.css": "leaflet.css",
         "LICENSE": "LICENSE-leaflet.txt"},
    ),
}


def fetch(spec: str, integrity: str, workdir: Path) -> tarfile.TarFile:
    """Download a package tarball with npm and verify its integrity."""
    result = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
                            check=True, capture_output=True, text=True)
    tarball = (workdir / json.loads(result.stdout)[0]["filename"]).read_bytes()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != integrity:
        sys.exit(f"{spec}: integrity mismatch: got {digest}, expected {integrity}")
    return tarfile.open(fileobj=io.BytesIO(tarball))


def inline_images(css: str, tar: tarfile.TarFile) -> str:
    """Replace ``url(images/x.png)`` with data URIs of the package's own images."""

    def data_uri(match: re.Match[str]) -> str:
        member = tar.extractfile(f"package/dist/{match.group(1)}")
        assert member is not None
        return f"url(data:image/png;base64,{base64.b64encode(member.read()).decode()})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


def build(out_dir: Path) -> list[Path]:
    """Write the assets into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec, (integrity, members) in PACKAGES.items():
            tar = fetch(spec, integrity, Path(tmp))
            for member, name in members.items():
                handle = tar.extractfile(f"package/{member}")
                assert handle is not None
                data = handle.read()
                if name.endswith(".css"):
                    data = inline_images(data.decode("utf-8"), tar).encode("utf-8")
                (out_dir / name).write_bytes(data)
                written.append(out_dir / name)
    return written


def main() -> None:
    """Re-create the files, or with --check compare fresh copies with the shipped ones."""
    run(__doc__.splitlines()[0], build, OUT)


if __name__ == "__main__":
    main()
