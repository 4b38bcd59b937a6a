"""Read and validate the knowledge files: one TOML file per topic, a list of [[entry]] tables."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"

# The intents of bot.nlu whose questions the knowledge base answers; an entry under any other intent
# could never be found by intent, so a typo there is refused at load time instead of silently lost.
INTENTS = frozenset(
    {
        "legal.consult",
        "service.counseling",
        "service.clinic",
        "service.stations",
        "service.hardship",
        "childcare.info",
        "membership.join",
        "training.menu",
        "digest.latest",
        "suggestion.submit",
        "help",
    }
)

TEXT_FIELDS = ("id", "intent", "title", "answer", "source")
FIELDS = frozenset({*TEXT_FIELDS, "questions"})
MAX_ANSWER = 300  # a WeChat reply longer than this is a page, not an answer


class KnowledgeError(ValueError):
    """A knowledge file that cannot be used, with the file and entry it is about."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One question-and-answer of the knowledge base, with where its answer comes from."""

    id: str
    intent: str
    title: str
    questions: tuple[str, ...]
    answer: str
    source: str
    topic: str  # the file's name without .toml, e.g. "labour_law"


def _entry(raw: Any, topic: str, where: str) -> Entry:
    """Return the entry of one [[entry]] table, or raise naming what is wrong with it."""
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: is not a table")
    where = f"{where} (id {raw['id']!r})" if isinstance(raw.get("id"), str) else where
    if unknown := sorted(set(raw) - FIELDS):
        raise KnowledgeError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for field in TEXT_FIELDS:
        value = raw.get(field)
        if value is None:
            raise KnowledgeError(f"{where}: missing field {field!r}")
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(f"{where}: field {field!r} must be non-empty text")
    questions = raw.get("questions")
    if questions is None:
        raise KnowledgeError(f"{where}: missing field 'questions'")
    if not isinstance(questions, list) or not questions:
        raise KnowledgeError(f"{where}: field 'questions' must be a non-empty list of texts")
    if not all(isinstance(q, str) and q.strip() for q in questions):
        raise KnowledgeError(f"{where}: every item of 'questions' must be non-empty text")
    if raw["intent"] not in INTENTS:
        raise KnowledgeError(f"{where}: unknown intent {raw['intent']!r}; known: {', '.join(sorted(INTENTS))}")
    if len(raw["answer"].strip()) > MAX_ANSWER:
        raise KnowledgeError(f"{where}: answer is longer than {MAX_ANSWER} characters")
    return Entry(
        id=raw["id"].strip(),
        intent=raw["intent"],
        title=raw["title"].strip(),
        questions=tuple(q.strip() for q in questions),
        answer=raw["answer"].strip(),
        source=raw["source"].strip(),
        topic=topic,
    )


def read_file(path: Path) -> list[Entry]:
    """Return the entries of one knowledge file, refusing a file that is malformed or empty."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise KnowledgeError(f"{path.name}: not valid TOML: {error}") from error
    if unknown := sorted(set(document) - {"entry"}):
        raise KnowledgeError(f"{path.name}: unknown top-level key(s) {', '.join(unknown)}; write entries as [[entry]]")
    raws = document.get("entry")
    if not isinstance(raws, list) or not raws:
        raise KnowledgeError(f"{path.name}: no [[entry]] tables")
    return [_entry(raw, path.stem, f"{path.name}, entry {number}") for number, raw in enumerate(raws, 1)]


def read_directory(directory: Path = DATA_DIR) -> list[Entry]:
    """Return the entries of every *.toml file in a directory, with ids unique across files."""
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise KnowledgeError(f"{directory}: no *.toml knowledge files")
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in paths:
        for entry in read_file(path):
            if entry.id in seen:
                raise KnowledgeError(f"{path.name}: entry id {entry.id!r} is already used in {seen[entry.id]}")
            seen[entry.id] = path.name
            entries.append(entry)
    return entries
