"""Helpers shared by the command modules: error handling, common options, loading."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gazetteer.errors import DataError, ShiprouteError

if TYPE_CHECKING:
    from gazetteer.resolve import Gazetteer

F = TypeVar("F", bound=Callable[..., Any])


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


gazetteer_option = click.option(
    "--gazetteer",
    "gazetteers",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Gazetteer file layered over the bundled one (its ids win); repeatable, the first "
         "wins. Default: the files in $SHIPROUTE_GAZETTEER.",
)
dataset_argument = click.argument(
    "dataset", required=False, type=click.Path(exists=True, dir_okay=False)
)


def load_user_gazetteer(files: Sequence[str]) -> Gazetteer:
    """Load the gazetteer layers in use (--gazetteer files, else $SHIPROUTE_GAZETTEER)."""
    from gazetteer.layers import gazetteer_layers
    from gazetteer.load import load_gazetteer

    return load_gazetteer([layer.path for layer in gazetteer_layers(files)[:-1]])


class LazyGroup(click.Group):
    """A command group that imports some subcommands only when they are used.

    Parameters
    ----------
    lazy
        Command name to ``"module:attribute"`` of the click command.
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attribute = self.lazy[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)


def log_to_stderr() -> None:
    """Print warnings that the library logs (e.g. dataset warnings) on stderr."""
    import logging

    logging.basicConfig(format="%(message)s", level=logging.WARNING)


def require_directory(target: Path) -> None:
    """Fail with one clear message before any work when ``target``'s directory is missing."""
    if not target.parent.is_dir():
        raise click.ClickException(
            f"can't write {target}: directory {target.parent} does not exist")
