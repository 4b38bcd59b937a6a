"""Console pages: the knowledge base the bot answers from — the entries, editing them, and trying a question."""

from __future__ import annotations

from flask import g, render_template, request
from pydantic import BaseModel

from bot.conversation import try_question
from bot.knowledge import THRESHOLD, live
from models import knowledge
from models.errors import Invalid

from ..extensions import db
from . import blueprint
from .web import FormInvalid, done, form

LABELS = {"topic": "分类", "intent": "意图", "title": "标题", "questions": "问法", "answer": "答案", "source": "出处"}
STATES = {"active": True, "inactive": False}
# The other intents the bot may understand a question as, for the test box.
OTHER_INTENTS = {
    "fallback": "与工会服务无关",
    "human.handoff": "转人工",
    "childcare.register": "托管报名",
    "training.request": "培训报名",
    "survey.answer": "填写问卷",
    "grievance.file": "维权申请",
    "grievance.status": "维权进度查询",
}


class EntryForm(BaseModel):
    """The fields of the entry form; the rules they obey are models.knowledge.check_entry's."""

    topic: str
    intent: str
    title: str
    questions: str  # one per line
    answer: str
    source: str

    def fields(self) -> dict:
        return {**self.model_dump(), "questions": knowledge.lines(self.questions)}


@blueprint.get("/knowledge", endpoint="knowledge")
def knowledge_list():
    """List the entries, filtered by topic, intent, state and a word."""
    topic, intent = request.args.get("topic") or None, request.args.get("intent") or None
    state, search = request.args.get("state") or None, request.args.get("q", "").strip()
    entries = knowledge.list_entries(db.session, topic=topic, intent=intent, search=search, active=STATES.get(state))
    return render_template(
        "console/knowledge/list.html",
        entries=entries,
        filters={"topic": topic, "intent": intent, "state": state, "q": search},
        topics=knowledge.topics(db.session),
        **_choices(),
    )


@blueprint.get("/knowledge/test")
def knowledge_test():
    """Show what the bot would answer a question from the saved entries: the best ones, their scores, the reply."""
    question = request.args.get("question", "").strip()[:200]
    trial = try_question(db.session, question) if question else None
    ids = knowledge.ids_by_key(db.session, [hit.entry.id for hit in trial.hits]) if trial else {}
    intents = {**OTHER_INTENTS, **knowledge.INTENT_LABELS}
    return render_template(
        "console/knowledge/test.html", question=question, trial=trial, ids=ids, intents=intents, threshold=THRESHOLD
    )


@blueprint.route("/knowledge/new", methods=["GET", "POST"])
def knowledge_new():
    """Show an empty entry form; create the entry."""
    values = {"topic": request.args.get("topic", ""), "intent": "", "active": True}
    if request.method == "POST":
        try:
            entry = knowledge.create_entry(db.session, g.actor, **form(EntryForm, LABELS).fields())
        except (Invalid, FormInvalid) as error:
            return _form(None, request.form, error.message)
        return _saved(f"已新建“{entry.title}”，机器人几秒内就会用它回答。", entry.id)
    return _form(None, values)


@blueprint.route("/knowledge/<id:entry_id>", methods=["GET", "POST"])
def knowledge_entry(entry_id: int):
    """Show an entry (a form for those who may edit it); save changes."""
    entry = knowledge.get_entry(db.session, entry_id)
    if request.method == "POST":
        try:
            knowledge.update_entry(db.session, g.actor, entry_id, **form(EntryForm, LABELS).fields())
        except (Invalid, FormInvalid) as error:
            db.session.rollback()
            return _form(knowledge.get_entry(db.session, entry_id), request.form, error.message)
        return _saved("已保存，机器人几秒内就会按新内容回答。", entry_id)
    values = {**{name: getattr(entry, name) for name in LABELS}, "active": entry.active}
    return _form(entry, values)


@blueprint.post("/knowledge/<id:entry_id>/active")
def knowledge_active(entry_id: int):
    """Stop the bot using an entry, or let it answer again."""
    active = request.form.get("active") == "1"
    knowledge.set_active(db.session, g.actor, entry_id, active)
    return _saved("已重新启用该条目。" if active else "已停用该条目，机器人不再用它回答。", entry_id)


def _saved(message: str, entry_id: int):
    """Commit, then have this process's bot check for the change at its next message (the others within seconds)."""
    response = done(message, "console.knowledge_entry", entry_id=entry_id)
    live.expire()
    return response


def _form(entry, values, error: str | None = None):
    return render_template(
        "console/knowledge/entry.html",
        entry=entry,
        values=values,
        error=error,
        topics=knowledge.topics(db.session),
        **_choices(),
    ), (400 if error else 200)


def _choices() -> dict:
    return {
        "can_edit": knowledge.can_edit(db.session, g.actor),
        "intents": knowledge.INTENT_LABELS,
        "topic_labels": knowledge.TOPIC_LABELS,
        "max_answer": knowledge.MAX_ANSWER,
    }
