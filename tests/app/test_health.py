"""GET /healthz tells whether the database and Redis are up."""

from __future__ import annotations


def test_healthz_reports_both_parts_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "up", "redis": "up"}


def test_healthz_answers_503_when_redis_is_down(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "degraded", "database": "up", "redis": "down"}


def test_healthz_answers_503_when_the_database_is_down(make_app, tmp_path):
    app = make_app(DATABASE_URL="sqlite:///" + str(tmp_path / "no-such-dir" / "db.sqlite"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "degraded", "database": "down", "redis": "up"}


def test_home_page_points_to_the_entry_points(client):
    assert client.get("/").json["health"] == "/healthz"


def test_a_browser_at_the_root_goes_to_the_console(client):
    response = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 302 and response.location == "/console/"
