"""Every JSON endpoint of /api and /api/admin, fed arbitrary payloads: clear 4xx errors, never a 5xx."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.wechat.simulator import SimulatorServer

CHANGES = {"POST", "PUT", "PATCH", "DELETE"}
# Tested on their own: a wrong password locks the account, a logout ends the session the fuzzing runs in.
SESSIONS = {"/api/login", "/api/admin/login", "/api/logout", "/api/admin/logout"}
# The names requests use, so that generated bodies often get past "unknown field" to the rules behind it.
FIELDS = [
    "name",
    "title",
    "text",
    "message",
    "summary",
    "body",
    "phone",
    "code",
    "status",
    "kind",
    "reason",
    "note",
    "union_id",
    "enterprise_id",
    "program_id",
    "session_id",
    "child",
    "children",
    "birth_date",
    "starts_on",
    "ends_on",
    "capacity",
    "start",
    "end",
    "audience",
    "unions",
    "industries",
    "tags",
    "everyone",
    "answers",
    "questions",
    "options",
    "topic_id",
    "headcount",
    "workers",
    "quota",
    "rating",
    "comment",
    "laws",
    "department",
    "outcome",
    "amount_recovered",
    "workers_covered",
    "handler_id",
    "legal_adviser",
    "at",
    "employer",
    "facts",
    "category",
    "section",
    "articles",
    "url",
    "cover_url",
    "order",
    "rules",
    "days",
    "send_at",
    "username",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["", "0", "1", "2026-07-06", "2026-07-06T09:00:00+08:00", "13837310001", "\u0000", "全部"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=6) | values


def _endpoints(app) -> list[tuple[str, str]]:
    """Every (method, path) that changes something under /api, ids filled with 1 (a demo row or a 404)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api") or rule.rule in SESSIONS:
            continue
        path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule.rule)
        path = re.sub(r"<id:[^>]+>", "1", path)
        path = re.sub(r"<[^>]+>", "union_news", path)
        found += [(method, path) for method in sorted(rule.methods & CHANGES)]
    return found


@pytest.fixture
def fuzz_app(make_app, demo):
    with SimulatorServer() as simulator:
        yield make_app(WECHAT_API_BASE_URL=simulator.url)


@pytest.fixture
def headers(fuzz_app):
    client = fuzz_app.test_client()
    admin = client.post("/api/admin/login", json={"username": "xinxiang-admin", "password": "gonghui2026"}).json
    worker = client.post("/api/login", json={"code": "sim:oDemo-zhangwei"}).json
    return {
        "admin": {"Authorization": f"Bearer {admin['token']}"},
        "worker": {"Authorization": f"Bearer {worker['token']}"},
    }


def test_the_fuzzed_endpoints_are_all_of_them(fuzz_app):
    paths = {path for _, path in _endpoints(fuzz_app)}
    assert len(paths) > 60 and "/api/admin/grievances/1/accept" in paths and "/api/registrations" in paths


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_payload_gives_a_server_error(fuzz_app, headers, data):
    method, path = data.draw(st.sampled_from(_endpoints(fuzz_app)), label="endpoint")
    body = data.draw(bodies, label="body")
    who = headers["admin"] if path.startswith("/api/admin") else headers["worker"]
    response = fuzz_app.test_client().open(path, method=method, json=body, headers=who)
    assert response.status_code < 500, (method, path, body, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        error = response.json["error"]
        assert re.fullmatch(r"[a-z_]+", error["code"]) and re.search(r"[\u4e00-\u9fff]", error["message"])
