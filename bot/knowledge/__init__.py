"""The bot's knowledge base: union services and labour-law basics, each answer with its source.

The entries live in the database (models.knowledge), where officials edit them in the console; the
files in data/*.toml, one per topic, are the shipped starting content, imported into an empty table
(shipped.import_if_empty, `flask knowledge import`). The bot asks `live.current(session)` for the
index of this process, rebuilt within seconds of an edit; `kb.best("试用期最长几个月")` returns the
entry to show, or None to offer a person instead.
"""

from __future__ import annotations

from .entries import DATA_DIR, INTENTS, Entry, KnowledgeError
from .index import THRESHOLD, Hit, KnowledgeBase

__all__ = ["DATA_DIR", "INTENTS", "THRESHOLD", "Entry", "Hit", "KnowledgeBase", "KnowledgeError"]
