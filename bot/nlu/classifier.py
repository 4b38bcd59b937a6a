"""Classify a worker's text into one of the bot's intents.

TF-IDF over character 1–2-grams joined with TF-IDF over jieba words and domain concept tokens, fed
to one-vs-rest logistic regression (see model.py). Trained from the shipped `data/train.tsv` once
per process, on first use: fitting takes ~0.2 s, so nothing is persisted and the model always
matches the data in the package.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from .concepts import concepts
from .model import LinearScorer, fit
from .normalize import normalize
from .segment import words

INTENTS: tuple[str, ...] = (
    "childcare.register",
    "childcare.info",
    "training.menu",
    "training.request",
    "survey.answer",
    "grievance.file",
    "grievance.status",
    "digest.latest",
    "legal.consult",
    "service.counseling",
    "service.clinic",
    "service.stations",
    "service.hardship",
    "suggestion.submit",
    "membership.join",
    "human.handoff",
    "help",
    "fallback",
)
FALLBACK = "fallback"
TRAIN_DATA = Path(__file__).with_name("data") / "train.tsv"
# Answering fallback below a confidence threshold did not help in 5-fold cross-validation on the
# training data (95.7% with none or 0.25, worse from 0.3; bench/classify.py --cv): fallback is a
# trained intent of its own. So it is off by default; callers may still set one.
FALLBACK_THRESHOLD = 0.0


def load_examples(path: Path = TRAIN_DATA) -> list[tuple[str, str]]:
    """Read `intent<TAB>text` lines, skipping blank lines and # comments."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        intent, sep, text = line.partition("\t")
        if not sep or intent not in INTENTS:
            raise ValueError(f"{path.name}:{number}: expected a known intent, a tab and a text: {line!r}")
        examples.append((intent, text))
    return examples


def analyze(text: str) -> list[str]:
    """Return the concept tokens and jieba words of a normalised text."""
    return concepts(text) + words(text)


class Classifier:
    """An intent classifier trained on labelled examples (by default the shipped training data)."""

    def __init__(self, examples: Iterable[tuple[str, str]] | None = None, threshold: float = FALLBACK_THRESHOLD):
        """Train on (intent, text) pairs."""
        started = time.perf_counter()
        pairs = load_examples() if examples is None else list(examples)
        self.threshold = threshold
        features, model = fit([normalize(text) for _, text in pairs], [intent for intent, _ in pairs], analyze)
        self.scorer = LinearScorer(features, model)
        self.training_seconds = time.perf_counter() - started

    def predict(self, text: str) -> tuple[str, float]:
        """Return the intent of a text and the learner's probability for it."""
        normalized = normalize(text)
        if not normalized:
            return FALLBACK, 1.0
        probabilities = self.scorer.probabilities(normalized)
        best = int(probabilities.argmax())
        confidence = float(probabilities[best])
        if confidence < self.threshold:
            return FALLBACK, confidence
        return self.scorer.classes[best], confidence


_lock = threading.Lock()
_default: Classifier | None = None


def default_classifier() -> Classifier:
    """Return the process's classifier, training it on first use (once, even with many threads)."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Classifier()
    return _default


def classify(text: str) -> str:
    """Return the intent of a worker's text."""
    return default_classifier().predict(text)[0]
