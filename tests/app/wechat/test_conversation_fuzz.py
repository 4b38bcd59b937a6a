"""Any sequence of texts from any worker, through /wechat: an answer every time, no error, nothing half-written.

Hypothesis draws conversations from what workers really write (the classifier's held-out texts), the answers
the dialogues ask for (numbers, yes/no, names, phone numbers, dates, "取消"), and arbitrary text, from demo
workers, a member without WeChat history and a stranger, so that dialogues are entered, abandoned, cut into
and restarted in every order.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.wechat.parsing import parse_xml
from app.wechat.simulator.pusher import text_xml
from models.childcare import CONFIRMED, CareSession, Registration
from models.grievances import CaseEvent, GrievanceCase
from models.inbound import InboundMessage

from .conftest import wait_for

HELDOUT = Path(__file__).parents[2] / "bot" / "nlu" / "heldout.tsv"
SAID = [line.split("\t", 1)[1].strip() for line in HELDOUT.read_text(encoding="utf-8").splitlines() if "\t" in line]
# What the dialogues ask for, and commands that cut into them.
ANSWERS = [
    "1", "2", "3", "9", "0", "是", "否", "确认", "取消", "重新开始", "返回", "转人工", "帮助",
    "王小明", "李沐晨", "13837310001", "1383731", "2016-03-14", "2016年3月14日", "男", "女", "无",
    "花生过敏", "凤泉区", "评价 5", "补充 单位还欠我两个月的加班费", "案件查询", "托管",
    "培训菜单", "手机报", "我要维权", "我要入会",
]  # fmt: skip
OPENIDS = ["oDemo-zhangwei", "oDemo-wangfang", "oDemo-liuyang", "oDemo-sunqiang", "o-stranger-fuzz"]
# What WeChat can carry in a text: XML 1.0 characters, and never the end of a CDATA section.
free_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=120).filter(
    lambda text: "]]>" not in text and text.strip()
)
utterance = st.one_of(st.sampled_from(SAID), st.sampled_from(ANSWERS), free_text)
conversation = st.lists(st.tuples(st.sampled_from(OPENIDS), utterance), min_size=1, max_size=10)
_msg_ids = itertools.count(7_500_000_000_000_000_001)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=conversation)
def test_every_text_is_answered_once_and_nothing_is_half_written(wechat, session, demo, caplog, messages):
    caplog.set_level(logging.ERROR)
    before = session.scalar(select(func.count()).select_from(InboundMessage))
    for openid, text in messages:
        response = wechat.post(text_xml(openid, text, next(_msg_ids)), mode="aes")
        assert response.status_code == 200, text
        if response.plain != "success":  # an answer that was not ready in time goes out as a customer-service message
            reply = parse_xml(response.plain.encode())
            assert reply["ToUserName"] == openid and reply["MsgType"] in ("text", "news")
    stored = select(func.count()).select_from(InboundMessage)
    assert session.scalar(stored) == before + len(messages)  # each once
    wait_for(lambda: _all_answered(session))
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    _assert_nothing_half_written(session)


def _all_answered(session) -> bool:
    session.expire_all()
    return not session.scalar(select(func.count()).where(InboundMessage.answered_at.is_(None)))


def _assert_nothing_half_written(session) -> None:
    session.expire_all()
    taken = dict(
        session.execute(
            select(Registration.session_id, func.count())
            .where(Registration.status == CONFIRMED)
            .group_by(Registration.session_id)
        ).all()
    )
    for care in session.scalars(select(CareSession)):
        assert care.taken == taken.get(care.id, 0) <= care.capacity, care.name
    for case in session.scalars(select(GrievanceCase)):
        assert case.worker_id is not None and case.category, case.id
        assert session.scalar(select(func.count()).where(CaseEvent.case_id == case.id)) >= 1, case.number
