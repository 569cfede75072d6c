"""Every command's --help reads well: each option described, no type noise, an example."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from mpdkg.cli.core import app

runner = CliRunner()


def _commands():
    root = typer.main.get_command(app)
    return sorted(root.commands.items())


def test_every_command_is_listed():
    names = {name for name, _ in _commands()}
    assert {"build", "validate", "run", "query", "ids", "serve", "push", "diff", "influence", "map"} <= names


@pytest.mark.parametrize("name", [name for name, _ in _commands()])
def test_help_describes_every_option_without_type_noise(name):
    command = dict(_commands())[name]
    for param in command.params:
        if param.name == "help":
            continue
        assert (getattr(param, "help", None) or "").strip(), f"mpdkg {name}: {param.name} has no description"
    result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    for noise in ("<bool>", "<path>", "<str>", "<float>", "<int>"):
        assert noise not in result.output, (name, noise)
    assert "Example" in result.output, f"mpdkg {name} --help shows no example"
