"""What the command modules share: error handling, common options, loading, routing, output.

Command modules import from here and from the library, never from each other.
Only click, the standard library and the light model modules are imported at
module level; everything heavy is imported inside the helpers that need it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
import functools
import json
import logging
from pathlib import Path
import sys
import time
from typing import TYPE_CHECKING, Any, TypeVar

import click

from shiproute.errors import DataError, ShiprouteError
from shiproute.settings import Settings

if TYPE_CHECKING:
    from shiproute.files import Output
    from shiproute.gazetteer.model import Site
    from shiproute.gazetteer.resolve import Gazetteer
    from shiproute.routes.dates import When
    from shiproute.routes.model import Dataset
    from shiproute.routes.quantity import Quantity
    from shiproute.routes.routed import RoutedDataset
    from shiproute.routes.router import Router

F = TypeVar("F", bound=Callable[..., Any])


# --- errors ----------------------------------------------------------------

def report(err: DataError) -> click.ClickException:
    """Print all problems of a data error; return the one-line summary error."""
    if len(err.problems) == 1:
        return click.ClickException(str(err.problems[0]))
    for problem in err.problems:
        click.echo(str(problem), err=True)
    path = err.problems[0].path
    count = len(err.errors)
    return click.ClickException(f"{path}: {count} error{'s' * (count != 1)}; nothing was written")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn shiproute errors into click errors: one message, exit 1, no traceback."""
    debug = click.get_current_context().find_root().params.get("debug", False)
    try:
        yield
    except DataError as err:
        if debug:
            raise
        raise report(err) from None
    except ShiprouteError as err:
        if debug:
            raise
        raise click.ClickException(str(err)) from None


def handles_errors(command: F) -> F:
    """Run a command so that shiproute errors end it with one message (see user_errors)."""
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class _EchoHandler(logging.Handler):
    """Print log records with ``click.echo`` on whatever stderr is current when they come."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def log_to_stderr() -> None:
    """Print warnings that the library logs (e.g. dataset warnings) on stderr."""
    logger = logging.getLogger("shiproute")
    if not any(isinstance(h, _EchoHandler) for h in logger.handlers):
        logger.addHandler(_EchoHandler(logging.WARNING))


# --- settings and common options -----------------------------------------

def settings() -> Settings:
    """Return the settings of this run, read from the environment once."""
    context = click.get_current_context().find_root()
    if not isinstance(context.obj, Settings):
        context.obj = Settings.from_environ()
    return context.obj


_NO_REFERENCE = "shiproute.no_reference"


def _no_reference(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_NO_REFERENCE] = True


def gazetteer_option(command: F) -> F:
    """Add ``--gazetteer FILE`` (repeatable, passed as ``gazetteers``) and ``--no-reference``."""
    command = click.option(
        "--no-reference", is_flag=True, expose_value=False, callback=_no_reference,
        help="Resolve names from the gazetteers only, not from the world reference layers "
             "of ports, airports and cities (also: SHIPROUTE_REFERENCE=off).")(command)
    return click.option(
        "--gazetteer",
        "gazetteers",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Gazetteer file layered over the bundled one (its ids win); repeatable, the "
             "first wins. Default: the files in $SHIPROUTE_GAZETTEER.",
    )(command)


def use_reference() -> bool:
    """Whether this run resolves names from the reference layers too."""
    ctx = click.get_current_context()
    return settings().reference and not ctx.meta.get(_NO_REFERENCE, False)
dataset_argument = click.argument(
    "dataset", required=False, type=click.Path(exists=True, dir_okay=False)
)
_cache_options = (
    click.option("--no-cache", is_flag=True,
                 help="Route every leg afresh; don't read or write the route cache."),
    click.option("--cache-dir", type=click.Path(file_okay=False),
                 help="Directory for shiproute's caches (routes go in DIR/routes); default: "
                      "$SHIPROUTE_CACHE_DIR, else the user cache directory."),
)


def cache_options(command: F) -> F:
    """Add ``--no-cache`` and ``--cache-dir`` to a command that routes legs."""
    for option in reversed(_cache_options):
        command = option(command)
    return command


# --- loading ----------------------------------------------------------------

def dataset_path(dataset: str | None) -> Path:
    """Return the dataset file named on the command line, or the bundled one."""
    from shiproute.routes.load import bundled_dataset_path

    return Path(dataset) if dataset else bundled_dataset_path()


def gazetteer_files(files: Sequence[str]) -> list[Path]:
    """Return the user gazetteer files in use: ``--gazetteer`` files, else the environment's."""
    from shiproute.gazetteer.layers import gazetteer_layers

    return [layer.path for layer in gazetteer_layers(files, settings().gazetteers)[:-1]]


def load_gazetteer(files: Sequence[str]) -> Gazetteer:
    """Load the gazetteer layers in use over the bundled gazetteer."""
    from shiproute.gazetteer.load import load_gazetteer as load

    return load(gazetteer_files(files), reference=use_reference())


def load_dataset(dataset: str | None, gazetteers: Sequence[str]) -> Dataset:
    """Read and check the dataset named on the command line (or the bundled one)."""
    from shiproute.routes.load import read_dataset

    log_to_stderr()
    return read_dataset(dataset_path(dataset), load_gazetteer(gazetteers))


# --- routing ------------------------------------------------------------------

class Progress:
    """A progress bar on stderr that appears only once routing has taken a second.

    Parameters
    ----------
    label
        Text before the bar.
    clock
        Seconds, monotonic; for tests.
    enabled
        Draw at all; default: when stderr is a terminal.
    """

    def __init__(self, label: str, *, clock: Callable[[], float] = time.monotonic,
                 enabled: bool | None = None) -> None:
        self.label = label
        self.clock = clock
        self.started = clock()
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` routes are finished."""
        if not self.enabled:
            return
        if self.bar is None and self.clock() - self.started >= 1.0:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        """Finish the bar's line, if one was drawn."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@contextmanager
def router(no_cache: bool, cache_dir: str | None) -> Iterator[Router]:
    """Yield the router every routing command uses, with the cache the options ask for."""
    from shiproute.routes.router import Router

    log_to_stderr()
    base = settings() if cache_dir is None else Settings(cache_dir=Path(cache_dir))
    progress = Progress("Routing legs")
    try:
        yield Router.with_cache_dir(None if no_cache else base.cache_path("routes"),
                                    progress=progress)
    finally:
        progress.close()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a batch job over a whole dataset.

    A dataset of 100,000 legs, routed and drawn, is millions of objects, and
    every full collection walks them all: about a quarter of the CPU time of
    a warm render went to collections that found almost nothing, since
    loading, routing and drawing make few reference cycles (freed by
    reference counting as usual). The collector runs again on exit.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def routed_dataset(dataset: str | None, gazetteers: Sequence[str], no_cache: bool,
                   cache_dir: str | None) -> RoutedDataset:
    """Load and route a dataset (see :func:`route_loaded`)."""
    return route_loaded(load_dataset(dataset, gazetteers), dataset_path(dataset), no_cache,
                        cache_dir)


def route_loaded(data: Dataset, path: Path, no_cache: bool,
                 cache_dir: str | None) -> RoutedDataset:
    """Route a loaded dataset, warning on stderr about legs it could not route well.

    The warnings are :func:`shiproute.routes.checks.route_warnings`: legs no
    network connects, sea legs that cross land; each names ``path``.
    """
    from shiproute.routes.checks import route_warnings

    with router(no_cache, cache_dir) as service:
        routed = service.route_dataset(data)
    for warning in route_warnings(routed):
        click.echo(f"{path}: warning: {warning}", err=True)
    return routed


# --- output -------------------------------------------------------------------

def output_file(ctx: click.Context, param: click.Parameter,
                value: str | None) -> Path | None:
    """Check an output option: any file name but the empty one, as a path (a click callback).

    Everything else about the target (its directory, what is there now) is
    checked by :func:`check_outputs`, which says what is wrong in one line.

    Raises
    ------
    click.BadParameter
        For an empty name (exit 2).
    """
    if value is None:
        return None
    if not value:
        raise click.BadParameter("the file name is empty; name the file to write", ctx, param)
    return Path(value)


force_option = click.option(
    "--force", is_flag=True,
    help="Replace an existing output file that shiproute did not write, or a symbolic link "
         "(the link itself, never what it points to). Directories, devices and read-only "
         "files are never replaced.")


def check_outputs(outputs: Sequence[Output], *, force: bool) -> None:
    """Refuse, before any work, outputs the policy won't write (:func:`check_output`).

    Raises
    ------
    click.UsageError
        If two outputs name the same file (exit 2).
    shiproute.files.OutputError
        If a target is refused (exit 1 through :func:`handles_errors`).
    """
    from shiproute.files import check_output

    seen: set[Path] = set()
    for output in outputs:
        where = output.path.parent.resolve() / output.path.name
        if where in seen:
            raise click.UsageError(f"{output.path}: named for two outputs; give each its own "
                                   "file")
        seen.add(where)
        check_output(output, force=force)


def echo_site(site: Site, *, as_json: bool, how: str = "") -> None:
    """Print a site as ``resolve`` and ``gazetteer show`` do.

    ``how`` says where a reference place comes from and why it was chosen;
    it is ``""`` (and ``null`` in JSON) for a gazetteer site.
    """
    if as_json:
        fields = ("id", "name", "kind", "country", "lat", "lon", "aliases", "note")
        record = {f: getattr(site, f) for f in fields}
        record["aliases"] = list(site.aliases)
        record["resolved_from"] = how or None
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    click.echo(f"{site.id}: {site.name} ({site.kind.replace('_', ' ')}, {site.country})")
    click.echo(f"  at {site.lat:.4f}, {site.lon:.4f}")
    if how:
        click.echo(f"  resolved from: {how}")
    if site.aliases:
        click.echo(f"  aliases: {', '.join(site.aliases)}")
    if site.note:
        click.echo(f"  note: {site.note}")


def plural(count: int, word: str) -> str:
    """Return ``count`` and ``word``, adding an ``s`` unless the count is one."""
    return f"{count:,} {word}{'s' * (count != 1)}"


FORMATS = ["table", "csv", "json"]
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                             show_default=True,
                             help="json and csv: numbers as numbers, ISO dates, snake_case keys.")
EMPTY_DATE = ("iso", "text", "precision", "first", "last")
"""The keys of :meth:`When.to_json`, for an absent date in CSV."""
EMPTY_QUANTITY = ("low", "high", "qualifier", "scope", "min", "max")
"""The keys of :meth:`Quantity.to_json`, for an absent quantity in CSV."""


def as_json(value: When | Quantity | None, fmt: str, keys: Sequence[str]) -> Any:
    """Return ``value.to_json()``; when absent, null in JSON and empty ``keys`` in CSV.

    CSV columns then stay the same whether or not a row has the value.
    """
    if value is not None:
        return value.to_json()
    return None if fmt == "json" else dict.fromkeys(keys)


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print rows as aligned columns under a header."""
    from shiproute.cli._table import format_table

    click.echo(format_table(headers, rows))


def echo_rows(rows: Sequence[Mapping[str, Any]], fmt: str,
              meta: Mapping[str, Any] | None = None) -> None:
    """Print records as JSON (``{..meta, "rows": [...]}``) or CSV (one row per record).

    Numbers stay numbers and missing values are null (JSON) or empty (CSV);
    every record of a CSV must have the same keys.
    """
    if fmt == "json":
        document = {**(meta or {}), "rows": list(rows)}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False))
        return
    import csv
    import io

    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    click.echo(out.getvalue(), nl=False)


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into snake_case keys (``date_first``), lists into "; " text."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}_"))
        elif isinstance(value, list):
            out[name] = "; ".join(map(str, value))
        else:
            out[name] = value
    return out
