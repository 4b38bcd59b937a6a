"""Benchmark the intent classifier: held-out accuracy per intent, time per text, start-up time.

    .venv/bin/python bench/classify.py          # held-out accuracy and timings
    .venv/bin/python bench/classify.py --cv     # cross-validation on the TRAINING data only,
                                                # used to choose FALLBACK_THRESHOLD

The held-out set (tests/bot/nlu/heldout.tsv) is never trained on, and is not used to tune.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.nlu.classifier import FALLBACK, INTENTS, Classifier, load_examples  # noqa: E402

HELDOUT = ROOT / "tests" / "bot" / "nlu" / "heldout.tsv"


def heldout_report(classifier: Classifier) -> list[str]:
    """Print accuracy per intent and overall on the held-out set; return its texts."""
    examples = load_examples(HELDOUT)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    errors = []
    for intent, text in examples:
        predicted = classifier.predict(text)[0]
        total[intent] += 1
        right[intent] += predicted == intent
        if predicted != intent:
            errors.append(f"  {intent:<20} → {predicted:<20} {text}")
    print(f"{'intent':<20} {'right':>5} {'total':>5} {'accuracy':>8}")
    for intent in INTENTS:
        print(f"{intent:<20} {right[intent]:>5} {total[intent]:>5} {right[intent] / max(total[intent], 1):>8.1%}")
    overall = sum(right.values()) / len(examples)
    print(f"{'overall':<20} {sum(right.values()):>5} {len(examples):>5} {overall:>8.1%}")
    if errors:
        print("errors:", *errors, sep="\n")
    return [text for _, text in examples]


def timing_report(classifier: Classifier, texts: list[str], rounds: int) -> None:
    """Print mean and p99 milliseconds per classification after a warm-up."""
    for text in texts:
        classifier.predict(text)  # warm-up: caches, lazy tables
    samples = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            classifier.predict(text)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[int(len(samples) * 0.99)]
    print(f"per text over {len(samples)} classifications: mean {statistics.mean(samples):.3f} ms, p99 {p99:.3f} ms")


def cross_validate(folds: int, thresholds: list[float]) -> None:
    """Print k-fold accuracy on the training data for each fallback threshold."""
    examples = load_examples()
    by_intent: dict[str, list[tuple[str, str]]] = {}
    for example in examples:
        by_intent.setdefault(example[0], []).append(example)
    fold_of = {}
    for group in by_intent.values():  # stratified: every fold gets its share of every intent
        fold_of.update({id(example): index % folds for index, example in enumerate(group)})
    predictions: list[tuple[str, str, float]] = []
    for fold in range(folds):
        classifier = Classifier([e for e in examples if fold_of[id(e)] != fold], threshold=0.0)
        for intent, text in (e for e in examples if fold_of[id(e)] == fold):
            predictions.append((intent, *classifier.predict(text)))
    for threshold in thresholds:
        right = sum(
            (FALLBACK if confidence < threshold else predicted) == intent
            for intent, predicted, confidence in predictions
        )
        print(f"threshold {threshold:.2f}: {folds}-fold accuracy {right / len(predictions):.1%}")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", action="store_true", help="cross-validate on the training data instead")
    parser.add_argument("--rounds", type=int, default=20, help="passes over the held-out texts for timing")
    args = parser.parse_args()
    if args.cv:
        cross_validate(5, [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5])
        return
    started = time.perf_counter()
    classifier = Classifier()  # first in this process: imports scikit-learn, loads jieba's dictionary
    startup = time.perf_counter() - started
    retrain = Classifier().training_seconds  # what training alone costs once the libraries are loaded
    print(f"start-up (first training in a process): {startup:.2f} s; training alone: {retrain:.2f} s")
    texts = heldout_report(classifier)
    timing_report(classifier, texts, args.rounds)


if __name__ == "__main__":
    main()
