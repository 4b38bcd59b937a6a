"""Fixtures for the mini-program API: an app whose WeChat is the simulator, and logging in as a worker."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(make_app, simulator):
    """A client of an app whose WeChat is the simulator; every response is kept for inspection."""
    client = make_app(WECHAT_API_BASE_URL=simulator.url).test_client()
    client.responses = []
    original = client.open

    def open_and_keep(*args, **kwargs):
        response = original(*args, **kwargs)
        client.responses.append(response)
        return response

    client.open = open_and_keep
    return client


def log_in(api, openid: str = "o-worker-1") -> dict:
    """Log in as a mini-program user; return the Authorization header."""
    response = api.post("/api/login", json={"code": f"sim:{openid}"})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}
