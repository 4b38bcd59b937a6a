"""The mini-program inbox and the subscribe-message grants it reports."""

from __future__ import annotations

from sqlalchemy import select

from models import notifications
from models.workers import Worker

from .conftest import log_in


def _queue(session, openid: str, n: int) -> None:
    worker = session.scalars(select(Worker).where(Worker.miniapp_openid == openid)).one()
    notifications.queue(
        session, worker_id=worker.id, kind="childcare_registered", key=f"t-{n}", title="托管报名成功", body=f"第{n}条"
    )
    session.commit()


def test_inbox_lists_newest_first_and_marks_read(api, session):
    headers = log_in(api, "o-inbox")
    _queue(session, "o-inbox", 1)
    _queue(session, "o-inbox", 2)
    inbox = api.get("/api/notifications", headers=headers).json
    assert [n["body"] for n in inbox["notifications"]] == ["第2条", "第1条"] and inbox["unread"] == 2
    first = inbox["notifications"][1]["id"]
    assert api.post(f"/api/notifications/{first}/read", headers=headers, json={}).json["read"] is True
    assert api.get("/api/notifications", headers=headers).json["unread"] == 1
    other = log_in(api, "o-someone-else")
    assert api.post(f"/api/notifications/{first}/read", headers=other, json={}).status_code == 404


def test_grants_are_counted_per_template(api):
    headers = log_in(api, "o-granting")
    body = {"accepted": ["TPL-childcare-result", "TPL-childcare-result", "TPL-childcare-reminder"]}
    remaining = api.post("/api/me/subscriptions", headers=headers, json=body).json["remaining"]
    assert remaining == {"TPL-childcare-result": 2, "TPL-childcare-reminder": 1}
    assert api.post("/api/me/subscriptions", headers=headers, json={"accepted": []}).status_code == 400
    assert api.post("/api/me/subscriptions", headers=headers, json={"accepted": ["bad id!"]}).status_code == 400
