"""Segment normalised text into words with jieba and the union's domain dictionary."""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path

# jieba 0.42.1 predates current Python: keep any warning its import raises out of `-W error` runs.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import jieba

USERDICT = Path(__file__).with_name("userdict.txt")

# jieba logs "Building prefix dict…" to stderr at DEBUG level; the CLI's output must stay clean.
jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """Return the process's jieba tokenizer, loading the dictionaries on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                # A private Tokenizer: our domain words must not leak into other users of jieba.
                tok = jieba.Tokenizer()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tok.initialize()
                with USERDICT.open("rb") as userdict:  # given a path, jieba never closes the file
                    tok.load_userdict(userdict)
                _tokenizer = tok
    return _tokenizer


def words(text: str) -> list[str]:
    """Return the words of a normalised text, without spaces."""
    return [word for word in tokenizer().lcut(text) if not word.isspace()]
