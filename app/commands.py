"""Command-line tasks: `flask --app wsgi seed demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from bot.knowledge.shipped import import_shipped
from models.demo import load_demo

from .extensions import db


@click.group(cls=AppGroup)
def seed() -> None:
    """Load data into the database."""


@seed.command("demo")
@click.option("--force", is_flag=True, help="Load even in production (demo logins share a known password).")
def seed_demo(force: bool) -> None:
    """Load the demo unions, enterprises, workers and officials (safe to run again)."""
    if current_app.config["GONGHUI"].production and not force:
        raise click.ClickException("演示数据的登录密码是公开的，生产环境不加载（确需加载请加 --force）")
    summary = load_demo(db.session, current_app.config["GONGHUI"].PUBLIC_BASE_URL)
    knowledge = import_shipped(db.session)  # the bot's answers, editable in the console
    db.session.commit()
    if knowledge.created:
        click.echo(f"知识库已导入 {knowledge.created} 条。")
    click.echo(f"演示数据已就绪（本次新增 {summary.created} 条）。官员登录账号：")
    for username, password, role, union in summary.logins:
        click.echo(f"  {username:<16} 密码 {password}  角色 {role:<8} {union}")
