"""Command-line tasks for the bot: `flask --app wsgi bot classify < texts.txt`."""

from __future__ import annotations

from typing import TextIO

import click
from flask.cli import AppGroup

from bot.nlu import classify


@click.group(cls=AppGroup)
def bot() -> None:
    """Try the chat bot from the command line."""


# No app context: classifying needs neither the database nor Redis.
@bot.command("classify", with_appcontext=False)
@click.argument("texts", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
def classify_command(texts: TextIO) -> None:
    """Read texts from stdin (or a file), one per line, and print one intent per line, in order."""
    for line in texts:
        click.echo(classify(line.rstrip("\r\n")))  # echo flushes: a pipe gets each answer as it comes
