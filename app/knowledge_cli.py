"""The knowledge base's start-up and command line: `flask --app wsgi knowledge import [--overwrite]`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from bot.conversation import warm_up
from bot.knowledge.shipped import import_if_empty, import_shipped

from .extensions import db


@click.group(cls=AppGroup)
def knowledge() -> None:
    """Manage the knowledge base the bot answers from."""


@knowledge.command("import")
@click.option("--overwrite", is_flag=True, help="Also reset entries officials have edited to the shipped text.")
def import_command(overwrite: bool) -> None:
    """Import the shipped entries (bot/knowledge/data/*.toml) the database lacks; safe to run again."""
    imported = import_shipped(db.session, overwrite=overwrite)
    db.session.commit()
    click.echo(f"知识库：新增 {imported.created} 条，恢复 {imported.updated} 条，未变 {imported.unchanged} 条。")


def prepare(app: Flask) -> None:
    """At a web process's start: fill an empty knowledge base with the shipped entries, then index it."""
    if not isinstance(app, Flask):  # wrapped in a middleware: at least warm the bot up
        warm_up()
        return
    with app.app_context():
        import_if_empty(db.session)
        warm_up(db.session)
