"""The ``shiproute`` command line: parse arguments, call the library, print.

Every subcommand lives in a module of this package and is imported only when
it runs (or when ``--help`` lists it); those modules import heavy libraries
(networkx, geopandas, folium, scipy) inside the commands that use them, so
``--help`` and ``resolve`` start fast.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

COMMANDS = {
    "resolve": "shiproute.cli.places:resolve",
    "route": "shiproute.cli.places:route",
    "validate": "shiproute.cli.dataset:validate",
    "legs": "shiproute.cli.dataset:legs",
    "sites": "shiproute.cli.dataset:sites",
    "render": "shiproute.cli.render:render",
    "stats": "shiproute.cli.analysis:stats",
    "timeline": "shiproute.cli.analysis:timeline",
    "export": "shiproute.cli.interchange:export",
    "import": "shiproute.cli.interchange:import_command",
    "gazetteer": "shiproute.cli.gazetteer:gazetteer",
}
"""Command name to ``module:attribute`` of its click command."""


class LazyGroup(click.Group):
    """A command group that imports each subcommand's module only when it is needed.

    Parameters
    ----------
    lazy
        Command name to ``"module:attribute"`` of the click command.
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command name, the lazy ones included, sorted."""
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command, importing its module if it is a lazy one."""
        if cmd_name in self.lazy:
            module, attribute = self.lazy[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shiproute")
@click.option("--debug", is_flag=True, help="Show a traceback for data errors too.")
def main(debug: bool) -> None:
    """Map documented shipments: resolve sites, check datasets, render maps.

    With no DATASET, commands use the bundled dataset of North Korea-Russia
    arms transfers, 2023-2024.
    """
