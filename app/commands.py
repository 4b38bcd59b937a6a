"""Command-line tasks: `flask --app wsgi seed demo`."""

from __future__ import annotations

import click

from models.demo import load_demo

from .extensions import db


@click.group()
def seed() -> None:
    """Load data into the database."""


@seed.command("demo")
def seed_demo() -> None:
    """Load the demo unions, enterprises, workers and officials (safe to run again)."""
    summary = load_demo(db.session)
    db.session.commit()
    click.echo(f"演示数据已就绪（本次新增 {summary.created} 条）。官员登录账号：")
    for username, password, role, union in summary.logins:
        click.echo(f"  {username:<16} 密码 {password}  角色 {role:<8} {union}")
