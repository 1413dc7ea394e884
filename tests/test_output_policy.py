"""One output policy for every file the CLI writes (render -o/--png/--pdf, export -o, import -o).

Each case runs the real command, in process with CliRunner or, where the case
needs a full disk, a read-only mount, a mount point or fewer privileges, as a
subprocess in its own mount namespace. Each asserts the exact message and exit
code, that the target is unchanged (type, inode, mode, bytes or link) and that
no temporary file is left beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import json
import os
from pathlib import Path
import shutil
import stat
import subprocess
import sys
from typing import Any

from click.testing import CliRunner, Result
import pytest

from shiproute.cli import main
from shiproute.cli.interchange import FOREIGN, foreign_dataset
from shiproute.files import OutputError, write_atomic
from shiproute.maps.render import FOREIGN_MAP
from shiproute.maps.snapshot import FOREIGN_PDF, FOREIGN_PNG

from browser import CHROMIUM

EXE = str(Path(sys.executable).with_name("shiproute"))
SHEET = "from,to,mode\nRajin,Dunay,sea\n"
FOREIGN_TEXT = ("# Notes\n\nMade with shiproute: <meta name='generator' content='shiproute'>, "
                '{"type": "FeatureCollection", "shiproute": {"format": 1}}\n')
CASES: dict[str, tuple[list[str], str, str]] = {
    # case: (arguments before the output option, the option, name of the output)
    "render": (["render"], "-o", "map.html"),
    "render --png": (["render", "-o", "{html}"], "--png", "map.png"),
    "render --pdf": (["render", "-o", "{html}"], "--pdf", "map.pdf"),
    "export geojson": (["export", "--format", "geojson"], "-o", "out.geojson"),
    "export kml": (["export", "--format", "kml"], "-o", "out.kml"),
    "export kmz": (["export", "--format", "kmz"], "-o", "out.kmz"),
    "export csv": (["export", "--format", "csv"], "-o", "out.csv"),
    "export gpkg": (["export", "--format", "gpkg"], "-o", "out.gpkg"),
    "import": (["import", "{sheet}"], "-o", "out.yaml"),
}
NOT_OURS = {
    "render": "exists and is not a map written by shiproute",
    "render --png": "exists and is not a PNG written by shiproute",
    "render --pdf": "exists and is not a PDF written by shiproute",
    "export geojson": "exists and is not a GeoJSON export written by shiproute",
    "export kml": "exists and is not a KML export written by shiproute",
    "export kmz": "exists and is not a KMZ export written by shiproute",
    "export csv": "exists, and a CSV file carries no mark to show that shiproute wrote it",
    "export gpkg": "exists, and a GeoPackage file carries no mark to show that shiproute wrote it",
    "import": "exists and is not a dataset written by shiproute import",
}
TESTS = {"render": FOREIGN_MAP, "render --png": FOREIGN_PNG, "render --pdf": FOREIGN_PDF,
         "export geojson": FOREIGN["geojson"], "export kml": FOREIGN["kml"],
         "export kmz": FOREIGN["kmz"], "import": foreign_dataset}
MARKED = sorted(TESTS)
UNMARKED = ["export csv", "export gpkg"]


@pytest.fixture(autouse=True)
def _chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", CHROMIUM)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder for the outputs, with the spreadsheet and the --png/--pdf map elsewhere."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "sheet.csv").write_text(SHEET, encoding="utf-8")
    (tmp_path / "html").mkdir()
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _run(case: str, out: Path | str, *extra: str, base: Path | None = None) -> Result:
    """Run a case writing ``out``; its spreadsheet and --png/--pdf map are under ``base``.

    ``base`` defaults to the folder above ``out``'s, as the ``work`` fixture lays it out.
    """
    before, option, _name = CASES[case]
    base = base or Path(out).parent.parent
    names = {"html": str(base / "html" / "map.html"), "sheet": str(base / "in" / "sheet.csv")}
    args = [*(a.format(**names) for a in before), option, str(out), *extra]
    return CliRunner().invoke(main, args, prog_name="shiproute")


def _state(path: Path) -> tuple[Any, ...]:
    """What must not change: the file's type, inode, mode and bytes (or a link's target)."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        content: Any = os.readlink(path)
    elif stat.S_ISREG(info.st_mode):
        content = path.read_bytes()
    else:
        content = None
    return stat.S_IFMT(info.st_mode), info.st_ino, info.st_mode, content


def _names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def _make_ours(case: str, out: Path) -> None:
    result = _run(case, out)
    assert result.exit_code == 0, result.stderr


# --- targets that are not regular files ---------------------------------------------------

def _special(kind: str, path: Path) -> None:
    if kind == "a directory":
        path.mkdir()
    elif kind == "a named pipe (FIFO)":
        os.mkfifo(path)
    else:  # a device like /dev/null (1, 3), made here so that a bug can't replace the real one
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))


@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
@pytest.mark.parametrize("kind", ["a directory", "a named pipe (FIFO)", "a character device"])
@pytest.mark.parametrize("case", CASES)
def test_a_target_that_is_not_a_regular_file_is_refused_even_with_force(
    work: Path, case: str, kind: str, force: bool
) -> None:
    out = work / CASES[case][2]
    _special(kind, out)
    before = _state(out)
    result = _run(case, out, *(["--force"] if force else []))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: is {kind}, not a regular file; name a file to write\n")
    assert _state(out) == before and _names(work) == [out.name]
    assert _names(work.parent / "html") == []


def test_export_to_a_device_as_a_subprocess_leaves_the_device(tmp_path: Path) -> None:
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    before = _state(device)
    done = subprocess.run([EXE, "export", "--format", "csv", "-o", str(device)],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (
        1, f"Error: {device}: is a character device, not a regular file; name a file to write\n",
        "")
    assert _state(device) == before and _names(tmp_path) == ["null"]


# --- symbolic links ----------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_a_symbolic_link_is_refused_without_force(work: Path, tmp_path: Path,
                                                  case: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shared = elsewhere / CASES[case][2]
    _make_ours(case, shared)  # even a link to shiproute's own file
    out = work / CASES[case][2]
    out.symlink_to(shared)
    link, target = _state(out), _state(shared)
    result = _run(case, out)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: is a symbolic link to {shared}; use --force to replace the link "
           "itself (what it points to is left alone), or choose another name\n")
    assert (_state(out), _state(shared)) == (link, target)
    assert _names(work) == [out.name]


@pytest.mark.parametrize("case", ["render", "export geojson", "export gpkg", "import"])
def test_force_replaces_the_link_itself_and_never_what_it_points_to(
    work: Path, tmp_path: Path, case: str
) -> None:
    shared = tmp_path / "elsewhere.txt"
    shared.write_text("a file someone else keeps\n", encoding="utf-8")
    out = work / CASES[case][2]
    out.symlink_to(shared)
    target = _state(shared)
    result = _run(case, out, "--force")
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISREG(os.lstat(out).st_mode) and _state(shared) == target
    assert _names(work) == [out.name]


def test_force_replaces_a_dangling_link_without_creating_its_target(
    work: Path, tmp_path: Path
) -> None:
    out, missing = work / "out.geojson", tmp_path / "nowhere.geojson"
    out.symlink_to(missing)
    assert _run("export geojson", out, "--force").exit_code == 0
    assert stat.S_ISREG(os.lstat(out).st_mode) and not missing.exists()


# --- files shiproute did not write -------------------------------------------------------

@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
@pytest.mark.parametrize("case", CASES)
def test_a_file_shiproute_did_not_write_is_replaced_only_with_force(
    work: Path, case: str, force: bool
) -> None:
    out = work / CASES[case][2]
    out.write_text(FOREIGN_TEXT, encoding="utf-8")
    before = _state(out)
    result = _run(case, out, *(["--force"] if force else []))
    if not force:
        assert (result.exit_code, result.stderr) == (
            1, f"Error: {out}: {NOT_OURS[case]}; use --force to replace it, or choose another "
               "name\n")
        assert _state(out) == before
    else:
        assert result.exit_code == 0, result.stderr
        assert _state(out) != before
        if case in TESTS:
            assert TESTS[case](out) is None
    assert _names(work) == [out.name]


@pytest.mark.parametrize("text", [
    "# shiproute\n\nRun `shiproute render -o map.html`; the page has "
    "<meta name='generator' content='shiproute'> in its head.\n",
    "#!/bin/sh\nshiproute render -o map.html\n",
    "<!DOCTYPE html>\n<html><head><title>shiproute notes</title></head><body>"
    "<meta name='generator' content='shiproute'></body></html>\n",
    "<div class='sr-root' id='mine' data-generator='shiproute'></div>\n",
], ids=["readme", "script", "page", "fragment"])
def test_a_page_that_merely_mentions_shiproute_is_not_a_map(work: Path, text: str) -> None:
    out = work / "README.md"
    out.write_text(text, encoding="utf-8")
    result = _run("render", out)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: exists and is not a map written by shiproute; use --force to "
           "replace it, or choose another name\n")
    assert out.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("case", MARKED)
def test_its_own_file_is_replaced_without_force(work: Path, case: str) -> None:
    out = work / CASES[case][2]
    _make_ours(case, out)
    assert TESTS[case](out) is None
    first = os.lstat(out).st_ino
    result = _run(case, out)
    assert result.exit_code == 0, result.stderr
    assert os.lstat(out).st_ino != first and TESTS[case](out) is None
    assert _names(work) == [out.name]


def test_an_embedded_fragment_is_a_map_too(work: Path) -> None:
    out = work / "fragment.html"
    assert _run("render", out, "--embed").exit_code == 0
    assert FOREIGN_MAP(out) is None
    assert _run("render", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("case", UNMARKED)
def test_a_format_without_a_mark_needs_force_even_for_its_own_file(work: Path,
                                                                   case: str) -> None:
    out = work / CASES[case][2]
    _make_ours(case, out)
    before = _state(out)
    result = _run(case, out)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: {NOT_OURS[case]}; use --force to replace it, or choose another "
           "name\n")
    assert _state(out) == before
    assert _run(case, out, "--force").exit_code == 0


def test_an_imported_dataset_edited_since_is_kept(work: Path) -> None:
    out = work / "out.yaml"
    _make_ours("import", out)
    assert out.read_text(encoding="utf-8").startswith("# written by shiproute import, sha256:")
    with out.open("a", encoding="utf-8") as handle:
        handle.write("description: my own notes\n")
    before = _state(out)
    result = _run("import", out)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: was edited after shiproute import wrote it; use --force to replace "
           "it, or choose another name\n")
    assert _state(out) == before
    validated = CliRunner().invoke(main, ["validate", str(out)])
    assert (validated.exit_code, validated.stdout) == (
        0, f"{out}: OK: 1 leg, 2 sites, 0 sources, 0 events, 0 estimates; 1 warning\n")


# --- what the marks leave readable --------------------------------------------------------

def test_marked_png_pdf_kml_and_kmz_still_read_in_their_usual_readers(work: Path) -> None:
    from PIL import Image
    from pypdf import PdfReader

    html, png, pdf = work / "m.html", work / "m.png", work / "m.pdf"
    result = CliRunner().invoke(main, ["render", "-o", str(html), "--png", str(png),
                                       "--pdf", str(pdf)])
    assert result.exit_code == 0, result.stderr
    with Image.open(png) as picture:
        picture.load()
        assert (picture.size, picture.info["Software"]) == ((1920, 1080), "shiproute")
    info = PdfReader(pdf).metadata
    assert (info.creator, info.title) == ("shiproute",
                                          "North Korea-Russia arms transfers, 2023-2024")
    for fmt in ("kml", "kmz"):
        out = work / f"m.{fmt}"
        assert _run(f"export {fmt}", out).exit_code == 0
        listed = subprocess.run(["ogrinfo", "-ro", "-q", str(out)], capture_output=True,
                                text=True, timeout=60, check=True)
        assert listed.stdout.split() == ["1:", "Sites", "2:", "Legs"]


def _fake_browser(tmp_path: Path, pdf: bytes | None) -> Path:
    """A "browser" that prints ``pdf`` (or fails, when None) instead of the map."""
    fake = tmp_path / "bin" / "chromium"
    fake.parent.mkdir(exist_ok=True)
    body = "exit 1\n"
    if pdf is not None:
        (tmp_path / "bin" / "print.pdf").write_bytes(pdf)
        body = (f'for a; do case "$a" in --print-to-pdf=*) cp {tmp_path}/bin/print.pdf '
                '"${a#--print-to-pdf=}";; esac; done\n')
    fake.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    fake.chmod(0o755)
    return fake


def test_a_pdf_the_browser_lays_out_otherwise_is_written_unmarked(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = b"%PDF-1.4\n1 0 obj\n<</Type /Catalog>>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n"
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", str(_fake_browser(tmp_path, plain)))
    pdf = work / "map.pdf"
    assert _run("render --pdf", pdf).exit_code == 0
    assert pdf.read_bytes() == plain
    result = _run("render --pdf", pdf)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {pdf}: exists and is not a PDF written by shiproute; use --force to "
           "replace it, or choose another name\n")


def test_when_the_picture_fails_the_map_is_not_replaced_either(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = tmp_path / "html" / "map.html"
    assert CliRunner().invoke(main, ["render", "-o", str(html)]).exit_code == 0
    before = _state(html)
    fake = _fake_browser(tmp_path, None)
    monkeypatch.setenv("SHIPROUTE_CHROMIUM", str(fake))
    result = _run("render --png", work / "map.png", "--title", "new")
    assert (result.exit_code, result.stderr) == (1, f"Error: {fake} wrote no PNG\n")
    assert _state(html) == before and _names(html.parent) == ["map.html"]
    assert _names(work) == []


# --- read-only files, names, directories --------------------------------------------------

@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
@pytest.mark.parametrize("case", ["render", "export geojson", "export csv", "import"])
def test_a_read_only_file_is_never_replaced(work: Path, case: str, force: bool) -> None:
    out = work / CASES[case][2]
    _make_ours(case, out)
    out.chmod(0o444)
    before = _state(out)
    result = _run(case, out, *(["--force"] if force else []))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: is read-only; make it writable (chmod u+w) to replace it, or choose "
           "another name\n")
    assert _state(out) == before and _names(work) == [out.name]


def test_a_replaced_file_keeps_its_permissions(work: Path) -> None:
    out = work / "out.geojson"
    _make_ours("export geojson", out)
    out.chmod(0o640)
    assert _run("export geojson", out).exit_code == 0
    assert stat.S_IMODE(os.lstat(out).st_mode) == 0o640


@pytest.mark.parametrize(("case", "option"), [
    ("render", "'-o' / '--output'"), ("render --png", "'--png'"), ("render --pdf", "'--pdf'"),
    ("export csv", "'-o' / '--output'"), ("import", "'-o' / '--output'"),
])
def test_an_empty_output_name_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "sheet.csv").write_text(SHEET, encoding="utf-8")
    (tmp_path / "html").mkdir()
    result = _run(case, "", base=tmp_path)
    command = CASES[case][0][0]
    usage = "[OPTIONS] FILE" if command == "import" else "[OPTIONS] [DATASET]"
    assert (result.exit_code, result.stderr) == (2, (
        f"Usage: shiproute {command} {usage}\nTry 'shiproute {command} --help' for help.\n\n"
        f"Error: Invalid value for {option}: the file name is empty; name the file to write\n"))
    assert _names(tmp_path) == ["html", "in"] and _names(tmp_path / "html") == []


@pytest.mark.parametrize("case", ["render", "export csv", "export gpkg", "import"])
@pytest.mark.parametrize("letter", ["a", "é"], ids=["ascii", "two-byte"])
def test_a_250_byte_name_is_written_with_no_temporary_file_left(
    work: Path, case: str, letter: str
) -> None:
    suffix = Path(CASES[case][2]).suffix
    stem = letter * (244 // len(letter.encode())) + "a" * (6 - len(suffix))
    out = work / f"{stem}{suffix}"
    assert len(os.fsencode(out.name)) == 250
    result = _run(case, out)
    assert result.exit_code == 0, result.stderr
    assert _names(work) == [out.name]


def test_a_geopackage_name_with_a_semicolon_is_written_and_nothing_else(work: Path) -> None:
    out = work / "a;b.gpkg"
    result = _run("export gpkg", out)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{out}\n", "")
    assert _names(work) == ["a;b.gpkg"]
    layers = subprocess.run(["ogrinfo", "-ro", "-q", str(out)], capture_output=True, text=True,
                            timeout=60, check=True)
    assert layers.stdout.split() == ["1:", "sites", "(Point)", "2:", "legs", "(Line", "String)"]


def test_a_name_longer_than_the_file_system_allows_is_one_clear_error(work: Path) -> None:
    out = work / ("b" * 252 + ".csv")
    result = _run("export csv", out)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: the file name is too long (256 bytes; at most 255 here); choose a "
           "shorter name\n")
    assert _names(work) == []


@pytest.mark.parametrize("case", CASES)
def test_a_missing_directory_is_one_clear_error(work: Path, case: str) -> None:
    out = work / "missing" / CASES[case][2]
    result = _run(case, out, base=work.parent)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: directory {out.parent} does not exist; create it or choose another "
           "directory\n")
    assert _names(work) == []


def test_a_file_as_the_directory_is_one_clear_error(work: Path) -> None:
    (work / "notes.txt").write_text("x", encoding="utf-8")
    out = work / "notes.txt" / "out.yaml"
    result = _run("import", out, base=work.parent)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: directory {out.parent} is not a directory; create it or choose "
           "another directory\n")


def test_two_outputs_naming_one_file_is_a_usage_error(work: Path) -> None:
    out = work / "map.html"
    result = CliRunner().invoke(main, ["render", "-o", str(out), "--png", str(out)],
                                prog_name="shiproute")
    assert (result.exit_code, result.stderr) == (2, (
        "Usage: shiproute render [OPTIONS] [DATASET]\nTry 'shiproute render --help' for "
        f"help.\n\nError: {out}: named for two outputs; give each its own file\n"))
    assert _names(work) == []


# --- the library -------------------------------------------------------------------------

def test_map_document_save_follows_the_same_policy(tmp_path: Path) -> None:
    import shiproute as sr

    document = sr.render(sr.route(sr.read_dataset()))
    theirs = tmp_path / "theirs.html"
    theirs.write_text("<html>their page</html>", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        document.save(theirs)
    assert str(caught.value) == (f"{theirs}: exists and is not a map written by shiproute; use "
                                 "--force to replace it, or choose another name")
    assert isinstance(caught.value, OSError)
    assert theirs.read_text(encoding="utf-8") == "<html>their page</html>"
    assert document.save(theirs, force=True) == theirs and FOREIGN_MAP(theirs) is None
    assert document.save(theirs) == theirs and _names(tmp_path) == ["theirs.html"]


def test_write_atomic_takes_a_250_byte_name(tmp_path: Path) -> None:
    path = tmp_path / ("c" * 250)
    write_atomic(path, b"one")
    write_atomic(path, b"two")
    assert path.read_bytes() == b"two" and _names(tmp_path) == [path.name]


# --- full disks, read-only mounts, mount points, no permission (real subprocesses) --------

REPORT = """
import json, os, subprocess, sys
folder, command = sys.argv[1], sys.argv[2:]
done = subprocess.run(command, capture_output=True, text=True)
files = {n: (os.lstat(os.path.join(folder, n)).st_ino,
             open(os.path.join(folder, n), "rb").read().hex()) for n in sorted(os.listdir(folder))}
print(json.dumps({"code": done.returncode, "stderr": done.stderr, "files": files}))
"""


def _namespaced(setup: str, folder: Path, *command: str) -> dict[str, Any]:
    """Run ``command`` in a private mount namespace after ``setup``; report what it left."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) for a private mount namespace")
    script = f'set -e\n{setup}\nexec "{sys.executable}" -c "$0" "$@"'
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                           REPORT, str(folder), *command],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _files(folder: Path) -> dict[str, list[Any]]:
    return {p.name: [os.lstat(p).st_ino, p.read_bytes().hex()] for p in sorted(folder.iterdir())}


def test_a_full_disk_leaves_the_old_export_and_no_temporary_file(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    out = disk / "out.geojson"
    report = _namespaced(f"mount -t tmpfs -o size=64k tmpfs {disk}\n"
                         f"printf old > {out}", disk,
                         EXE, "export", "--format", "geojson", "-o", str(out), "--force")
    assert (report["code"], report["stderr"]) == (
        1, f"Error: {out}: can't write it: No space left on device; free some space or write "
           "elsewhere\n")
    assert list(report["files"]) == ["out.geojson"]
    assert report["files"]["out.geojson"][1] == b"old".hex()


def test_a_full_disk_while_writing_the_picture_writes_no_map_either(tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    assert CliRunner().invoke(main, ["render", "-o", str(probe)]).exit_code == 0
    room = (probe.stat().st_size // 4096 + 8) * 4  # kB: the map fits, the picture doesn't
    disk = tmp_path / "disk"
    disk.mkdir()
    html, png = disk / "map.html", disk / "map.png"
    report = _namespaced(f"mount -t tmpfs -o size={room}k tmpfs {disk}", disk,
                         EXE, "render", "-o", str(html), "--png", str(png))
    assert (report["code"], report["stderr"]) == (
        1, f"Error: {png}: can't write it: No space left on device; free some space or write "
           "elsewhere\n")
    assert report["files"] == {}


def test_a_full_disk_under_a_geopackage_is_one_clear_error(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    out = disk / "out.gpkg"
    report = _namespaced(f"mount -t tmpfs -o size=64k tmpfs {disk}", disk,
                         EXE, "export", "--format", "gpkg", "-o", str(out))
    assert report["code"] == 1 and report["files"] == {}
    assert report["stderr"].startswith(
        f"Error: {out}: can't write it: GDAL could not write the GeoPackage (")
    assert report["stderr"].endswith("); check free space and permissions, or write "
                                     "elsewhere\n")
    assert report["stderr"].count("\n") == 1 and "Traceback" not in report["stderr"]


def test_a_read_only_file_system_is_one_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    out = folder / "out.yaml"
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    assert CliRunner().invoke(main, ["import", str(sheet), "-o", str(out)]).exit_code == 0
    before = _files(folder)
    report = _namespaced(f"mount --bind -o ro {folder} {folder}", folder,
                         EXE, "import", str(sheet), "-o", str(out))
    assert (report["code"], report["stderr"]) == (
        1, f"Error: {out}: can't write it: Read-only file system; write it elsewhere\n")
    assert report["files"] == before


def test_a_target_that_is_a_mount_point_is_left_alone(tmp_path: Path) -> None:
    folder, other = tmp_path / "out", tmp_path / "other.geojson"
    folder.mkdir()
    out = folder / "out.geojson"
    _make_ours("export geojson", out)
    _make_ours("export geojson", other)
    report = _namespaced(f"mount --bind {other} {out}", folder,
                         EXE, "export", "--format", "geojson", "-o", str(out))
    assert (report["code"], report["stderr"]) == (
        1, f"Error: {out}: can't write it: Device or resource busy; it is in use or a mount "
           "point; write it elsewhere\n")
    assert list(report["files"]) == ["out.geojson"]


def test_a_directory_this_user_may_not_write_is_one_clear_error(tmp_path: Path) -> None:
    """Permission denied (EACCES) for real: root without the capability to override it."""
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv(1) to drop CAP_DAC_OVERRIDE")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    folder = tmp_path / "locked"
    folder.mkdir()
    out = folder / "out.yaml"
    assert CliRunner().invoke(main, ["import", str(sheet), "-o", str(out)]).exit_code == 0
    folder.chmod(0o555)
    before = _files(folder)
    try:
        done = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--",
                               EXE, "import", str(sheet), "-o", str(out)],
                              capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)
    assert (done.returncode, done.stderr) == (
        1, f"Error: {out}: can't write it: Permission denied; check the permissions or write "
           "elsewhere\n")
    assert _files(folder) == before


@contextlib.contextmanager
def _immutable(path: Path) -> Iterator[None]:
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr(1)")
    set_flag = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if set_flag.returncode:
        pytest.skip(f"this file system has no immutable flag: {set_flag.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_immutable_file_or_directory_is_left_alone(work: Path) -> None:
    out = work / "out.geojson"
    _make_ours("export geojson", out)
    before = _state(out)
    with _immutable(out):
        result = _run("export geojson", out, "--force")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: is not writable for this user (its owner, permissions or attributes "
           "forbid it); choose another name\n")
    with _immutable(work):
        result = _run("export geojson", out, "--force")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {out}: can't write it: Operation not permitted; check the permissions and "
           "attributes (chattr) or write elsewhere\n")
    assert _state(out) == before and _names(work) == [out.name]
