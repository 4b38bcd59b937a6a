"""flask seed demo: loads the demo data, and refuses production unless forced."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Official
from models.demo import OFFICIALS


def test_seed_demo_prints_the_logins(app, session):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0 and "kangcun" in result.output and "gonghui2026" in result.output
    assert all(username in result.output for username in OFFICIALS)
    assert session.scalar(select(func.count()).select_from(Official)) == len(OFFICIALS) == 11


def test_seed_demo_refuses_production(make_app, session):
    app = make_app(APP_ENV="production")
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 1 and "生产环境不加载" in result.output
    assert session.scalar(select(func.count()).select_from(Official)) == 0
