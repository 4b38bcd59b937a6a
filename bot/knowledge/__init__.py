"""The bot's knowledge base: union services and labour-law basics, each answer with its source.

The entries live in data/*.toml, one file per topic, so that union staff can edit them without
touching code. Load once at start-up and share: `kb = KnowledgeBase.load()`, then
`kb.best("试用期最长几个月")` returns the entry to show, or None to offer a person instead.
"""

from __future__ import annotations

from .entries import DATA_DIR, INTENTS, Entry, KnowledgeError
from .index import THRESHOLD, Hit, KnowledgeBase

__all__ = ["DATA_DIR", "INTENTS", "THRESHOLD", "Entry", "Hit", "KnowledgeBase", "KnowledgeError"]
