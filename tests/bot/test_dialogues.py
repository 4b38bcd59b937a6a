"""Whole dialogues through the bot core: each to its end, wrong answers, escape words, expiry."""

from __future__ import annotations

import threading

import redis
from sqlalchemy import select

from bot.state import DialogueState, RedisStateStore
from models.tickets import Ticket
from models.workers import Worker as WorkerRow

from .conftest import Worker

OPENID = "oDemo-sunqiang"  # the `worker` fixture's


def _tickets(session, kind: str) -> list[Ticket]:
    """Return the tickets of this kind the test's worker opened (the demo data has its own)."""
    session.expire_all()
    return list(
        session.scalars(select(Ticket).join(Ticket.worker).where(Ticket.kind == kind, WorkerRow.openid == OPENID))
    )


def test_membership_from_first_words_to_ticket(worker, demo):
    assert "请问您的姓名" in worker.clicks("JOIN")
    assert "123" not in worker.says("123") and "2到10个汉字" in worker.says("123")
    assert "2到10个汉字" in worker.says("我要入会")  # the request again, not a name
    assert "您从事哪类工作" in worker.says("张伟")
    assert "请回复选项前的数字" in worker.says("第九个")
    assert "工作单位或所在平台" in worker.says("第二个")
    assert "手机号码" in worker.says("美团外卖")
    assert "11位手机号码" in worker.says("12345")
    summary = worker.says("13837310001")
    assert "请核对" in summary and "外卖骑手" in summary and "13837310001" in summary
    assert "入会申请已提交，编号 RH" in worker.says("确认")
    [ticket] = _tickets(demo.session, "membership")
    assert "美团外卖" in ticket.summary and ticket.worker.openid == "oDemo-sunqiang"
    assert worker.store.load("oDemo-zhangwei") is None


def test_choices_accept_number_ordinal_or_name(worker):
    for answer in ("2", "第2个", "外卖骑手", "二"):
        worker.clicks("JOIN")
        worker.says("张伟")
        assert "工作单位" in worker.says(answer), answer


def test_back_restart_cancel(worker):
    worker.clicks("JOIN")
    worker.says("张伟")
    assert "请问您的姓名" in worker.says("返回")
    worker.says("李娜")
    worker.says("1")
    assert "请问您的姓名" in worker.says("重新开始")
    assert "已取消“申请入会”" in worker.says("取消")
    assert worker.store.load(worker.openid) is None


def test_correcting_at_the_confirmation(worker):
    worker.clicks("JOIN")
    for answer in ("张伟", "1", "获嘉县恒达机械有限公司", "13837310001"):
        worker.says(answer)
    assert "请回复“1”确认提交" in worker.says("嗯？")
    assert "手机号码" in worker.says("修改")
    assert "13937310009" in worker.says("13937310009")


def test_handoff_in_the_middle_keeps_what_was_said(worker, demo):
    worker.clicks("GRIEVANCE_FILE")
    worker.says("1")
    assert "已为您转接工会工作人员" in worker.says("转人工")
    [ticket] = _tickets(demo.session, "handoff")
    assert "维权求助" in ticket.summary and "拖欠工资" in ticket.summary


def test_expired_dialogue_says_so_instead_of_misreading(worker, backend):
    worker.clicks("JOIN")
    client = redis.Redis.from_url(backend.redis_url)
    client.pexpire(f"gonghui:bot:state:{worker.openid}", 1)  # the 30 minutes pass
    while client.exists(f"gonghui:bot:state:{worker.openid}"):
        pass
    assert "超过30分钟没有回复，已自动取消" in worker.says("张伟")
    assert "超过30分钟" not in worker.says("帮助")


def test_two_quick_messages_each_take_one_step(demo, backend, make_app):
    store = RedisStateStore(redis.Redis.from_url(backend.redis_url))
    store.save("oDemo-lina", DialogueState("membership.join"))
    factory = make_app().extensions["gonghui.db"][1]
    replies = []

    def send(text: str) -> None:
        with factory() as session:
            replies.append(Worker(session, store, "oDemo-lina").says(text))

    threads = [threading.Thread(target=send, args=(text,)) for text in ("李娜", "外卖骑手")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = store.load("oDemo-lina")
    assert state.step == len(state.slots) and len(replies) == 2  # no step lost or taken twice


def test_suggestion_from_words_to_ticket(worker, demo):
    assert "请写下您的建议" in worker.says("我有个金点子想提")
    assert "10到500个字" in worker.says("加人")
    assert "所在的单位" in worker.says("夜班增加一名安全巡查员，减少事故隐患")
    assert "请核对" in worker.says("获嘉县恒达机械有限公司")
    assert "您的金点子已提交，编号 JD" in worker.says("好的")
    [ticket] = _tickets(demo.session, "suggestion")
    assert ticket.union.name == "获嘉县亢村镇工会" and "安全巡查员" in ticket.summary
