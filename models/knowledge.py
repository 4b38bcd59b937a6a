"""The knowledge base the bot answers from, kept in the database so officials can edit it.

One service, one bot, one knowledge base: every official may read it and try questions against it;
only an admin of a top-level union changes it. The rules an entry obeys are here, once: the shipped
TOML files (bot.knowledge.entries) and the console's forms are both checked by check_entry().
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import audit
from .access import Actor
from .base import Base, utcnow
from .errors import Forbidden, Invalid, NotFound
from .officials import Official, Role
from .unions import TradeUnion

# The intents of bot.nlu whose questions the knowledge base answers, with their names for officials. An entry
# under any other intent could never be found by intent, so a typo there is refused instead of silently lost.
INTENT_LABELS = {
    "legal.consult": "法律咨询",
    "service.counseling": "心理咨询",
    "service.clinic": "义诊和健康讲座",
    "service.stations": "职工服务站",
    "service.hardship": "困难帮扶",
    "childcare.info": "托管服务",
    "membership.join": "入会",
    "training.menu": "职工培训",
    "digest.latest": "手机报",
    "suggestion.submit": "金点子",
    "help": "使用帮助",
}
INTENTS = frozenset(INTENT_LABELS)

# The topics of the shipped files (one file per topic); an entry's topic only groups it for officials.
TOPIC_LABELS = {
    "labour_law": "劳动法律",
    "grievance": "维权",
    "union_services": "工会服务",
    "childcare": "托管",
    "membership": "入会",
    "training": "培训",
    "digest": "手机报",
}

MAX_ANSWER = 300  # a WeChat reply longer than this is a page, not an answer
MAX_TITLE = 100
MAX_SOURCE = 200
MAX_QUESTION = 100
MAX_QUESTIONS = 50
_NAME = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")  # keys and topics: law.probation.length, labour_law


class KnowledgeEntry(Base):
    """One question-and-answer: the ways workers ask it (one per line), the answer and where it comes from."""

    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # e.g. law.probation.length
    topic: Mapped[str] = mapped_column(String(40), index=True)  # e.g. labour_law
    intent: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    questions: Mapped[str] = mapped_column(Text)  # one question per line
    answer: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    editor: Mapped[Official | None] = relationship()  # who changed it last; none for the shipped text

    @property
    def question_list(self) -> list[str]:
        """Return the ways of asking, one per stored line."""
        return [line for line in self.questions.splitlines() if line.strip()]

    @property
    def intent_label(self) -> str:
        return INTENT_LABELS.get(self.intent, self.intent)

    @property
    def topic_label(self) -> str:
        return TOPIC_LABELS.get(self.topic, self.topic)


@dataclass(frozen=True, slots=True)
class EntryValues:
    """The checked, trimmed values of an entry."""

    key: str
    topic: str
    intent: str
    title: str
    questions: tuple[str, ...]
    answer: str
    source: str

    def as_row(self) -> dict:
        """Return the values as the table's columns."""
        return {
            "key": self.key,
            "topic": self.topic,
            "intent": self.intent,
            "title": self.title,
            "questions": "\n".join(self.questions),
            "answer": self.answer,
            "source": self.source,
        }


def _text(value: str, field: str, label: str, most: int, *, lines: bool = False) -> str:
    value = value.replace("\r\n", "\n").strip()
    if not value:
        raise Invalid(f"{label}不能为空", field=field)
    if len(value) > most:
        raise Invalid(f"{label}不能超过{most}个字（现在{len(value)}个字）", field=field)
    if "\n" in value and not lines:
        raise Invalid(f"{label}不能换行", field=field)
    # Control characters show as nothing in WeChat, and PostgreSQL refuses NUL.
    if any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in value):
        raise Invalid(f"{label}含有无法显示的控制字符", field=field)
    return value


def check_entry(
    *, key: str, topic: str, intent: str, title: str, questions: Sequence[str], answer: str, source: str
) -> EntryValues:
    """Return an entry's values trimmed, or raise Invalid saying in Chinese what is wrong (the first problem)."""
    key, topic = key.strip(), topic.strip()
    if not (_NAME.fullmatch(key) and len(key) <= 80):
        raise Invalid("编号只能由小写字母、数字、下划线和点组成，最长80个字符", field="key")
    if not (_NAME.fullmatch(topic) and "." not in topic and len(topic) <= 40):
        raise Invalid("分类只能由小写字母、数字和下划线组成，最长40个字符", field="topic")
    if intent not in INTENTS:
        raise Invalid(f"意图“{intent}”不在可选范围内：{'、'.join(sorted(INTENTS))}", field="intent")
    title = _text(title, "title", "标题", MAX_TITLE)
    if not questions:
        raise Invalid("请至少填写一个问法", field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise Invalid(f"问法最多{MAX_QUESTIONS}个（现在{len(questions)}个）", field="questions")
    cleaned = [_text(question, "questions", f"第{n}个问法", MAX_QUESTION) for n, question in enumerate(questions, 1)]
    return EntryValues(
        key=key,
        topic=topic,
        intent=intent,
        title=title,
        questions=tuple(dict.fromkeys(cleaned)),  # the same question twice would only weigh it double
        answer=_text(answer, "answer", "答案", MAX_ANSWER, lines=True),
        source=_text(source, "source", "出处", MAX_SOURCE),
    )


def lines(text: str) -> list[str]:
    """Split a text box into its non-blank lines: the console's questions, one per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def can_edit(session: Session, actor: Actor) -> bool:
    """Tell whether an official may change the knowledge base: admins of a top-level union only."""
    if actor.official.role != Role.ADMIN:
        return False
    union = session.get(TradeUnion, actor.official.union_id)
    return union is not None and union.parent_id is None


def _require_editor(session: Session, actor: Actor) -> None:
    # Shared by the whole service (one bot): a county's edit would change every union's answers.
    if not can_edit(session, actor):
        raise Forbidden("知识库由全平台共用，只有最上级工会的管理员可以修改")


def list_entries(
    session: Session,
    *,
    topic: str | None = None,
    intent: str | None = None,
    search: str | None = None,
    active: bool | None = None,
) -> list[KnowledgeEntry]:
    """Return the entries, by topic then key, filtered by topic, intent, a word in any text, and state."""
    query = select(KnowledgeEntry).order_by(KnowledgeEntry.topic, KnowledgeEntry.key)
    if topic:
        query = query.where(KnowledgeEntry.topic == topic)
    if intent:
        query = query.where(KnowledgeEntry.intent == intent)
    if active is not None:
        query = query.where(KnowledgeEntry.active.is_(active))
    if search and search.strip():
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", search.strip()) + "%"
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        KnowledgeEntry.key,
                        KnowledgeEntry.title,
                        KnowledgeEntry.questions,
                        KnowledgeEntry.answer,
                        KnowledgeEntry.source,
                    )
                )
            )
        )
    return list(session.scalars(query))


def topics(session: Session) -> list[str]:
    """Return the topics in use and the shipped ones, shipped first."""
    used = session.scalars(select(KnowledgeEntry.topic).distinct()).all()
    return list(dict.fromkeys([*TOPIC_LABELS, *sorted(used)]))


def ids_by_key(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Return the ids of the entries with these keys (the bot's index knows entries by key)."""
    keys = list(keys)
    if not keys:
        return {}
    rows = session.execute(select(KnowledgeEntry.key, KnowledgeEntry.id).where(KnowledgeEntry.key.in_(keys)))
    return {key: entry_id for key, entry_id in rows}


def get_entry(session: Session, entry_id: int) -> KnowledgeEntry:
    """Return an entry or raise NotFound."""
    entry = session.get(KnowledgeEntry, entry_id)
    if entry is None:
        raise NotFound("未找到该知识条目")
    return entry


def create_entry(
    session: Session,
    actor: Actor,
    *,
    topic: str,
    intent: str,
    title: str,
    questions: Sequence[str],
    answer: str,
    source: str,
    key: str | None = None,
) -> KnowledgeEntry:
    """Add an entry; without a key it gets one under its topic (labour_law.k3f9a1)."""
    _require_editor(session, actor)
    key = key or f"{topic.strip()}.k{secrets.token_hex(3)}"
    values = check_entry(
        key=key, topic=topic, intent=intent, title=title, questions=questions, answer=answer, source=source
    )
    if session.scalar(select(KnowledgeEntry.id).where(KnowledgeEntry.key == values.key)) is not None:
        raise Invalid("已有同一编号的条目", field="key")
    entry = KnowledgeEntry(**values.as_row(), active=True, updated_by=actor.id)
    session.add(entry)
    session.flush()
    audit.record(
        session, actor=actor, action="create", object_type="knowledge_entry", object_id=entry.id, key=entry.key
    )
    return entry


def update_entry(session: Session, actor: Actor, entry_id: int, **changes) -> KnowledgeEntry:
    """Change an entry's topic, intent, title, questions, answer or source; record which fields changed."""
    _require_editor(session, actor)
    entry = get_entry(session, entry_id)
    editable = {"topic", "intent", "title", "questions", "answer", "source"}
    if unknown := set(changes) - editable:
        raise Invalid(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    current = {
        "key": entry.key,
        "topic": entry.topic,
        "intent": entry.intent,
        "title": entry.title,
        "questions": entry.question_list,
        "answer": entry.answer,
        "source": entry.source,
    }
    values = check_entry(**{**current, **changes}).as_row()
    changed = [field for field in sorted(editable) if values[field] != getattr(entry, field)]
    if changed:
        for field in changed:
            setattr(entry, field, values[field])
        entry.updated_by = actor.id
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="update",
            object_type="knowledge_entry",
            object_id=entry.id,
            key=entry.key,
            fields=changed,
        )
    return entry


def set_active(session: Session, actor: Actor, entry_id: int, active: bool) -> KnowledgeEntry:
    """Stop the bot using an entry (it stays, to be reactivated), or let it answer again."""
    _require_editor(session, actor)
    entry = get_entry(session, entry_id)
    if entry.active != active:
        entry.active, entry.updated_by = active, actor.id
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="reactivate" if active else "deactivate",
            object_type="knowledge_entry",
            object_id=entry.id,
            key=entry.key,
        )
    return entry


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did: entries added, entries brought back to the shipped text, entries left alone."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_entries(
    session: Session, entries: Iterable[EntryValues], *, overwrite: bool = False, actor: Actor | str = "system"
) -> Imported:
    """Add the entries whose keys the table lacks; with overwrite, also reset existing ones to these values.

    Without overwrite an import never touches an entry that is already there, so officials' edits
    survive running it again (on every start, on `flask seed demo`).
    """
    if isinstance(actor, Actor):
        _require_editor(session, actor)
    existing = {entry.key: entry for entry in session.scalars(select(KnowledgeEntry))}
    created = updated = unchanged = 0
    for values in entries:
        row = check_entry(**asdict(values)).as_row()
        entry = existing.get(row["key"])
        if entry is None:
            entry = KnowledgeEntry(**row, active=True)
            session.add(entry)
            existing[entry.key] = entry
            created += 1
        elif overwrite and any(getattr(entry, field) != value for field, value in row.items()):
            for field, value in row.items():
                setattr(entry, field, value)
            entry.updated_by = actor.id if isinstance(actor, Actor) else None
            updated += 1
        else:
            unchanged += 1
    session.flush()
    if created or updated:
        audit.record(
            session,
            actor=actor,
            action="import",
            object_type="knowledge_entry",
            created=created,
            updated=updated,
        )
    return Imported(created, updated, unchanged)


def count_entries(session: Session) -> int:
    """Return how many entries the table holds, active or not."""
    return session.scalar(select(func.count()).select_from(KnowledgeEntry)) or 0
