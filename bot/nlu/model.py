"""Fit the learner with scikit-learn, then score single texts without scikit-learn's per-call overhead.

scikit-learn's transform + one-vs-rest predict_proba costs ~4 ms for one short text, mostly input
validation and a Python loop over the 17 binary models; a bot answers one text at a time. The
fitted vocabularies, idf weights and coefficients are copied into plain dicts and one numpy matrix,
and `LinearScorer.probabilities` repeats the same arithmetic (sublinear tf × idf, L2 norm per
block, sigmoid per class, normalised) in ~0.1 ms. tests/bot/nlu checks that both agree.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Analyzer = Callable[[str], list[str]]


@dataclass(frozen=True)
class Block:
    """One TF-IDF feature block: how to cut a text, and each token's column and idf."""

    analyzer: Analyzer
    columns: dict[str, tuple[int, float]]


def fit(texts: list[str], labels: list[str], word_analyzer: Analyzer) -> tuple[Any, Any]:
    """Fit TF-IDF (character 1–2-grams + words) and one-vs-rest logistic regression on normalised texts."""
    # Imported here: scikit-learn takes ~1 s to import, and importing bot.nlu must stay cheap.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion

    features = FeatureUnion(
        [
            # Character n-grams survive typos (拖管, 欠新) and voice run-ons that jieba cuts badly.
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer=word_analyzer, lowercase=False, sublinear_tf=True)),
        ]
    )
    # liblinear one-vs-rest trains in ~0.1 s and scores like multinomial lbfgs, which takes ~1.4 s.
    model = OneVsRestClassifier(LogisticRegression(C=20.0, solver="liblinear"))
    model.fit(features.fit_transform(texts), labels)
    return features, model


class LinearScorer:
    """The fitted TF-IDF blocks and one-vs-rest coefficients, evaluated with numpy."""

    def __init__(self, features: Any, model: Any) -> None:
        """Copy what scoring needs out of a fitted FeatureUnion and OneVsRestClassifier."""
        self.classes: list[str] = [str(label) for label in model.classes_]
        self.blocks: list[Block] = []
        offset = 0
        for _name, vectorizer in features.transformer_list:
            idf = vectorizer.idf_
            columns = {token: (offset + index, float(idf[index])) for token, index in vectorizer.vocabulary_.items()}
            self.blocks.append(Block(vectorizer.build_analyzer(), columns))
            offset += len(idf)
        # One row per feature, one column per class: a text's scores are a sum of a few rows.
        self.weights = np.vstack([estimator.coef_ for estimator in model.estimators_]).T.copy()
        self.intercepts = np.array([float(estimator.intercept_[0]) for estimator in model.estimators_])

    def probabilities(self, text: str) -> np.ndarray:
        """Return one probability per class (in `classes` order) for a normalised text."""
        scores = self.intercepts.copy()
        for block in self.blocks:
            counts = Counter(token for token in block.analyzer(text) if token in block.columns)
            if not counts:
                continue
            rows = [block.columns[token][0] for token in counts]
            values = np.array([(1.0 + math.log(n)) * block.columns[token][1] for token, n in counts.items()])
            scores += (values / np.linalg.norm(values)) @ self.weights[rows]
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        return probabilities / probabilities.sum()
