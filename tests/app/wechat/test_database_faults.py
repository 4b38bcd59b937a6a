"""/wechat with the database out: a message that cannot be stored is not acknowledged, so WeChat's retry brings it."""

from __future__ import annotations

from sqlalchemy import select

from app.wechat.parsing import parse_xml
from models.inbound import InboundMessage

from . import samples
from .conftest import WeChatServer, without_time

OPENID = "oDemo-zhangwei"


def test_a_message_the_database_could_not_take_is_refused_then_handled_once_on_retry(
    make_app, simulator, session, demo, tmp_path
):
    down = WeChatServer(make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'gone' / 'db.sqlite'}").test_client())
    refused = down.post(samples.TEXT.format(openid=OPENID, content="加班费怎么算", msg_id=7_300_000_000_000_000_001))
    assert refused.status_code == 503  # not "success": WeChat sends it again
    assert "Traceback" not in refused.get_data(as_text=True)

    up = WeChatServer(make_app(WECHAT_API_BASE_URL=simulator.url).test_client())
    up.last = down.last  # WeChat's retry: the very same request, a little later
    retried = up.retry()
    assert retried.status_code == 200
    reply = up.pusher().open_reply(retried.get_data(as_text=True), up.last[0])
    assert "加班费" in parse_xml(reply.encode())["Content"]
    assert without_time(up.retry()) == without_time(retried)  # a further retry: the same answer
    stored = session.scalars(select(InboundMessage).where(InboundMessage.openid == OPENID)).all()
    assert len(stored) == 1
