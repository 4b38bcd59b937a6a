"""The bot answers from the knowledge base in the database: edits reach every process within seconds."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.conversation import try_question
from bot.knowledge import live
from bot.knowledge.entries import read_directory
from bot.knowledge.shipped import import_if_empty, import_shipped
from models.database import make_engine
from models.knowledge import KnowledgeEntry, create_entry, set_active, update_entry
from tests.bot.conftest import Worker

PROBATION = "试用期最长能约定多久啊"
NEW_ANSWER = "试用期最长6个月，同一单位只能约定一次。（已由工会更新）回复“人工”找工作人员。"
HEAT = "高温津贴每月多少钱"


@pytest.fixture
def imported(demo):
    """The demo database with the shipped knowledge entries imported, as `flask seed demo` leaves it."""
    import_shipped(demo.session)
    demo.session.commit()
    return demo


def _entry(session, key: str) -> KnowledgeEntry:
    return session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.key == key)).one()


def test_an_edit_is_answered_at_the_next_message_of_the_process_that_made_it(imported, worker):
    assert "依据：" in worker.says(PROBATION) and NEW_ANSWER not in worker.says(PROBATION)
    entry = _entry(imported.session, "law.probation.length")
    update_entry(imported.session, imported.actor("xinxiang-admin"), entry.id, answer=NEW_ANSWER)
    imported.session.commit()
    live.expire()  # what the console does after saving
    assert worker.says(PROBATION).startswith(NEW_ANSWER)


def test_another_process_answers_from_the_edit_within_seconds_and_meanwhile_reads_no_rows(
    imported, store, config, monkeypatch
):
    engine = make_engine(config.DATABASE_URL)  # a second process: an engine, and an index, of its own
    reads = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_: "knowledge" in sql and reads.append(sql))
    with Session(engine) as session:
        other = Worker(session, store, "o-other-process")
        other.says(PROBATION)
        entry = _entry(imported.session, "law.probation.length")
        update_entry(imported.session, imported.actor("xinxiang-admin"), entry.id, answer=NEW_ANSWER)
        imported.session.commit()
        reads.clear()
        assert NEW_ANSWER not in other.says(PROBATION)  # checked less than CHECK_SECONDS ago: no query at all
        assert reads == []
        monkeypatch.setattr(live, "CHECK_SECONDS", 0.0)  # as if the seconds had passed
        assert other.says(PROBATION).startswith(NEW_ANSWER)
        assert other.says(PROBATION).startswith(NEW_ANSWER)
    engine.dispose()


def test_a_new_entry_makes_a_question_answerable_and_a_deactivated_one_stops_answering(imported, worker):
    assert "超出了工会服务的范围" in worker.says(HEAT)
    admin = imported.actor("xinxiang-admin")
    entry = create_entry(
        imported.session,
        admin,
        topic="labour_law",
        intent="legal.consult",
        title="高温津贴",
        questions=[HEAT, "夏天高温补贴怎么发", "防暑降温费有多少"],
        answer="在35℃以上高温天气露天作业，或工作场所温度降不到33℃以下的，单位应发放高温津贴，并计入工资总额。",
        source="《防暑降温措施管理办法》第十七条",
    )
    imported.session.commit()
    live.expire()
    assert "应发放高温津贴" in worker.says(HEAT)
    set_active(imported.session, admin, entry.id, False)
    imported.session.commit()
    live.expire()
    assert "超出了工会服务的范围" in worker.says(HEAT)


def test_an_empty_table_answers_with_the_shipped_files(demo, worker):
    assert demo.session.scalar(select(KnowledgeEntry.id)) is None
    assert "依据：" in worker.says(PROBATION)
    assert live.current(demo.session) is live.shipped()


def test_an_unreadable_table_keeps_the_index_built_before(imported, worker, monkeypatch):
    worker.says(PROBATION)
    built = live.current(imported.session)
    engine = imported.session.get_bind()

    def broken(*args, **kwargs):
        raise SQLAlchemyError("database gone")

    monkeypatch.setattr(engine, "connect", broken)
    assert live.current(imported.session, fresh=True) is built


def test_the_import_is_idempotent_and_import_if_empty_runs_once(demo):
    shipped = len(read_directory())
    assert import_if_empty(demo.session).created == shipped
    assert import_if_empty(demo.session) is None
    again = import_shipped(demo.session)
    assert (again.created, again.updated, again.unchanged) == (0, 0, shipped)
    keys = demo.session.scalars(select(KnowledgeEntry.key)).all()
    assert len(keys) == len(set(keys)) == shipped


def test_the_index_built_from_the_table_finds_what_the_files_find(imported):
    from_table = live.current(imported.session, fresh=True)
    assert len(from_table) == len(live.shipped())
    for question in (PROBATION, "厂里欠了我三个月工资不发怎么办", "托管班一个班配几个老师"):
        assert from_table.best(question) == live.shipped().best(question)


def test_trying_a_question_shows_the_entry_the_worker_gets_or_none(imported):
    trial = try_question(imported.session, PROBATION)
    assert trial.intent == trial.scope == "legal.consult"
    assert trial.entry.id == "law.probation.length" and trial.hits[0].entry == trial.entry
    assert trial.reply.startswith(trial.entry.answer) and "依据：" in trial.reply
    off_topic = try_question(imported.session, "明天天气怎么样")
    assert off_topic.entry is None and "超出了工会服务的范围" in off_topic.reply
    assert try_question(imported.session, "我要给孩子报名暑假托管").elsewhere == "开始“托管报名”办理流程"
