"""Questions answered from the knowledge base; Redis or the database failing never silences the bot."""

from __future__ import annotations

import logging

import redis
from sqlalchemy.orm import Session

from bot.state import RedisStateStore
from models.database import make_engine

from .conftest import Worker


def test_labour_law_question_is_answered_with_its_source(worker):
    reply = worker.says("试用期最长能约定多久啊")
    assert "依据：" in reply and "劳动合同法" in reply


def test_off_topic_question_gets_an_honest_no(worker):
    reply = worker.says("明天新乡下不下雨")
    assert "超出了工会服务的范围" in reply or "没有找到可靠的答案" in reply


def test_with_redis_down_questions_are_answered_and_dialogues_wait(demo):
    down = RedisStateStore(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    worker = Worker(demo.session, down)
    assert "请稍后重新开始" in worker.says("我要入会")
    assert "依据：" in worker.says("加班费是怎么算的，周末加班给多少")


def test_a_failing_handler_is_logged_and_answered_with_an_apology(store, tmp_path, caplog):
    broken = Session(make_engine(f"sqlite:///{tmp_path}/missing/db.sqlite"))  # the database is gone
    with caplog.at_level(logging.ERROR):
        reply = Worker(broken, store, "o-unlucky").clicks("JOIN")
    assert "系统开小差了" in reply and "职工服务平台" in reply
    assert "o-unlucky" in caplog.text
    broken.close()
