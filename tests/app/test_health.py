"""GET /healthz tells whether the database and Redis are up."""

from __future__ import annotations

from dataclasses import replace

from app import create_app


def test_healthz_reports_both_parts_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "up", "redis": "up"}


def test_healthz_answers_503_when_redis_is_down(config):
    app = create_app(replace(config, REDIS_URL="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "degraded", "database": "up", "redis": "down"}


def test_healthz_answers_503_when_the_database_is_down(config, tmp_path):
    missing = "sqlite:///" + str(tmp_path / "no-such-dir" / "db.sqlite")
    app = create_app(replace(config, DATABASE_URL=missing))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "degraded", "database": "down", "redis": "up"}
