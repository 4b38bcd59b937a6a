"""Read and validate the knowledge files: one TOML file per topic, a list of [[entry]] tables."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import Invalid
from models.knowledge import INTENTS, MAX_ANSWER, EntryValues, check_entry

__all__ = ["DATA_DIR", "INTENTS", "MAX_ANSWER", "Entry", "KnowledgeError", "read_directory", "read_file"]

DATA_DIR = Path(__file__).parent / "data"

TEXT_FIELDS = ("id", "intent", "title", "answer", "source")
FIELDS = frozenset({*TEXT_FIELDS, "questions"})


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

    @classmethod
    def of(cls, values: EntryValues) -> Entry:
        """Return the entry of checked values (models.knowledge.check_entry)."""
        return cls(
            id=values.key,
            intent=values.intent,
            title=values.title,
            questions=values.questions,
            answer=values.answer,
            source=values.source,
            topic=values.topic,
        )


def _entry(raw: Any, topic: str, where: str) -> Entry:
    """Return the entry of one [[entry]] table, or raise naming what is wrong with it."""
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: is not a table")
    where = f"{where} (id {raw['id']!r})" if isinstance(raw.get("id"), str) else where
    if unknown := sorted(set(raw) - FIELDS):
        raise KnowledgeError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for field in (*TEXT_FIELDS, "questions"):
        if raw.get(field) is None:
            raise KnowledgeError(f"{where}: missing field {field!r}")
    if not all(isinstance(raw[field], str) for field in TEXT_FIELDS):
        raise KnowledgeError(f"{where}: fields {', '.join(TEXT_FIELDS)} must be texts")
    questions = raw["questions"]
    if not isinstance(questions, list) or not all(isinstance(question, str) for question in questions):
        raise KnowledgeError(f"{where}: field 'questions' must be a list of texts")
    # The rules of an entry's values are the ones the console's edits obey: one copy, in models.
    try:
        values = check_entry(
            key=raw["id"],
            topic=topic,
            intent=raw["intent"],
            title=raw["title"],
            questions=questions,
            answer=raw["answer"],
            source=raw["source"],
        )
    except Invalid as error:
        raise KnowledgeError(f"{where}: {error.message}") from error
    return Entry.of(values)


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
