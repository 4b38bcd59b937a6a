"""The scheduler's 手机报 job: the issue due goes out once, with the settings' address; one not ready is held."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from jobs import digests as digest_jobs
from models import digest_issues as issues
from models.base import utcnow
from models.digests import Digest
from models.official_notices import OfficialNotice
from models.pushes import Push


def _draft(demo) -> Digest:
    demo.session.expire_all()
    return demo.session.scalars(select(Digest).where(Digest.number == 32)).one()


def test_the_job_sends_the_approved_issue_due_once(demo, make_app):
    app = make_app(PUBLIC_BASE_URL="https://gonghui.example.cn")
    draft = _draft(demo)
    issues.approve(demo.session, demo.actor("xinxiang-admin"), draft.id)
    draft.publish_at = utcnow() - timedelta(minutes=1)  # Friday 18:00 has just passed
    demo.session.commit()
    assert digest_jobs.publish(app).published == [32]
    assert digest_jobs.publish(app).published == []
    sent = _draft(demo)
    push = demo.session.get(Push, sent.push_id)
    assert sent.status == "published" and push.message["url"] == "https://gonghui.example.cn/digest/32"
    assert demo.session.scalars(select(Push.id).where(Push.title == sent.title)).all() == [push.id]  # sent once


def test_the_job_holds_an_issue_due_but_not_approved(demo, app):
    draft = _draft(demo)
    draft.publish_at = utcnow() - timedelta(minutes=1)
    demo.session.commit()
    done = digest_jobs.publish(app)
    assert done.published == [] and len(done.held) == 1
    assert digest_jobs.publish(app).held == []
    [notice] = demo.session.scalars(select(OfficialNotice)).all()
    assert notice.kind == "digest_not_sent" and "第32期" in notice.text and _draft(demo).status == "draft"
