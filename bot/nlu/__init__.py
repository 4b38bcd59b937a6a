"""Understand a worker's text: normalise it and classify it into one of the bot's intents.

`classify(text)` trains the classifier on first use (~1–3 s once per process, most of it loading
jieba's dictionary and importing scikit-learn); call `default_classifier()` at start-up, e.g. in a
background thread, to pay that before the first WeChat message.
"""

from .classifier import INTENTS, Classifier, classify, default_classifier
from .normalize import normalize

__all__ = ["INTENTS", "Classifier", "classify", "default_classifier", "normalize"]
