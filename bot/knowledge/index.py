"""Find the knowledge entries that answer a worker's text: BM25 over jieba terms, scored 0..1.

Each entry is one document: the terms of its title and questions count fully, the terms of its
answer count 0.3 (an answer mentions many things it is not about). The BM25 sum is divided by the
most the query's terms could earn (each term's idf × (k1 + 1)), so a score is the idf-weighted share
of the question the entry covers: 0 shares nothing, 1 is approached when every term matches often.
Terms the knowledge base has never seen still count in that maximum (at 0.6 of the weight of a rare
known term), which is what pushes questions about the weather or stocks towards 0.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .entries import DATA_DIR, Entry, read_directory
from .text import tokenizer, tokens

K1 = 1.2  # term-frequency saturation: a word repeated across several questions soon stops adding
B = 0.5  # length normalisation, milder than the usual 0.75: long entries are long because asked many ways
ANSWER_WEIGHT = 0.3
UNKNOWN_WEIGHT = 0.6  # an unseen word counts against a match, but less than a known word would for it
SINGLE_WEIGHT = 0.3  # one character (买, 写, 帮) is too ambiguous to decide an answer on its own
# Lowest score best() accepts. Measured on the questions in tests/bot/knowledge: the right entries of
# realistic questions score 0.22 and above, off-topic questions 0.18 and below (most find nothing).
THRESHOLD = 0.2


@dataclass(frozen=True, slots=True)
class Hit:
    """An entry found for a text, with its score from 0 (nothing shared) towards 1."""

    entry: Entry
    score: float


def _document(entry: Entry) -> Counter[str]:
    """Return an entry's weighted term counts: title and questions in full, answer at a discount."""
    counts: Counter[str] = Counter()
    for text in (entry.title, *entry.questions):
        counts.update(tokens(text))
    for term in tokens(entry.answer):
        counts[term] += ANSWER_WEIGHT
    return counts


class KnowledgeBase:
    """The loaded entries and their index; read-only after construction, so safe to share between threads."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        documents = [_document(entry) for entry in self.entries]
        total = len(documents)
        lengths = [sum(document.values()) for document in documents]
        average = sum(lengths) / total if total else 1.0
        frequency = Counter(term for document in documents for term in document)
        self._idf = {term: math.log(1 + (total - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + (total - 0.5) / 1.5)
        # Postings hold each term's saturated frequency per entry, so a search only adds numbers.
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, (document, length) in enumerate(zip(documents, lengths, strict=True)):
            norm = K1 * (1 - B + B * length / average)
            for term, tf in document.items():
                self._postings[term].append((number, tf * (K1 + 1) / (tf + norm)))
        self._postings = dict(self._postings)
        self._by_id = {entry.id: entry for entry in self.entries}

    @classmethod
    def load(cls, directory: Path = DATA_DIR) -> KnowledgeBase:
        """Read, validate and index every knowledge file of a directory."""
        tokenizer()  # build jieba's dictionary now, not during a worker's first question
        return cls(read_directory(Path(directory)))

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        """Return the entry with this id, if there is one."""
        return self._by_id.get(entry_id)

    def search(self, text: str, intent: str | None = None, limit: int = 3) -> list[Hit]:
        """Return up to `limit` entries for a text, best first, optionally only those of one intent."""
        terms = set(tokens(text))
        if not terms or limit < 1:
            return []
        weights = {
            term: self._idf.get(term, self._unknown_idf) * (SINGLE_WEIGHT if len(term) == 1 else 1.0) for term in terms
        }
        most = sum(weights.values()) * (K1 + 1)
        scores: dict[int, float] = defaultdict(float)
        for term in terms:
            for number, saturated in self._postings.get(term, ()):
                scores[number] += weights[term] * saturated
        ranked = sorted(
            (-score, number)
            for number, score in scores.items()
            if intent is None or self.entries[number].intent == intent
        )
        return [Hit(self.entries[number], -negative / most) for negative, number in ranked[:limit]]

    def best(self, text: str, intent: str | None = None) -> Entry | None:
        """Return the entry that answers a text, or None when none fits well enough to be shown."""
        hits = self.search(text, intent, limit=1)
        return hits[0].entry if hits and hits[0].score >= THRESHOLD else None
