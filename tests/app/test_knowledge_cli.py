"""The shipped knowledge entries reach the database: `flask knowledge import`, `flask seed demo`, a worker's start."""

from __future__ import annotations

from sqlalchemy import func, select

from app.knowledge_cli import prepare
from bot.knowledge import live
from bot.knowledge.entries import read_directory
from models.knowledge import KnowledgeEntry


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(KnowledgeEntry))


def test_knowledge_import_adds_the_shipped_entries_once(app, session):
    shipped = len(read_directory())
    first = app.test_cli_runner().invoke(args=["knowledge", "import"])
    assert first.exit_code == 0 and f"新增 {shipped} 条" in first.output
    again = app.test_cli_runner().invoke(args=["knowledge", "import"])
    assert again.exit_code == 0 and "新增 0 条，恢复 0 条" in again.output
    assert _count(session) == shipped


def test_knowledge_import_overwrite_restores_the_shipped_text(app, session):
    app.test_cli_runner().invoke(args=["knowledge", "import"])
    entry = session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.key == "law.probation.length")).one()
    shipped_answer, entry.answer = entry.answer, "改过的回答"
    session.commit()
    result = app.test_cli_runner().invoke(args=["knowledge", "import", "--overwrite"])
    assert result.exit_code == 0 and "恢复 1 条" in result.output
    session.refresh(entry)
    assert entry.answer == shipped_answer


def test_seed_demo_imports_the_knowledge_base_and_can_run_again(app, session):
    runner = app.test_cli_runner()
    assert "知识库已导入" in runner.invoke(args=["seed", "demo"]).output
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert _count(session) == len(read_directory())


def test_a_starting_web_worker_fills_an_empty_knowledge_base_and_indexes_it(app, session):
    prepare(app)  # gunicorn's post_worker_init
    assert _count(session) == len(read_directory())
    built = live.current(session)
    assert built is not live.shipped() and built.best("试用期最长几个月").id == "law.probation.length"
    prepare(app)  # the next worker finds it filled
    assert _count(session) == len(read_directory())
