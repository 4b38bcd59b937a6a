"""The intent classifier: held-out accuracy, tricky texts, normalisation, data hygiene, CLI."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.bot_cli import bot
from bot.nlu import INTENTS, Classifier, classify, default_classifier, normalize
from bot.nlu import classifier as classifier_module
from bot.nlu.classifier import TRAIN_DATA, analyze, load_examples
from bot.nlu.model import LinearScorer, fit
from bot.nlu.normalize import chinese_to_int

HELDOUT = Path(__file__).with_name("heldout.tsv")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def intent_classifier() -> Classifier:
    return default_classifier()


def test_heldout_accuracy_is_at_least_95_percent(intent_classifier):
    examples = load_examples(HELDOUT)
    wrong = [(intent, text, got) for intent, text in examples if (got := intent_classifier.predict(text)[0]) != intent]
    accuracy = 1 - len(wrong) / len(examples)
    assert accuracy >= 0.95, f"held-out accuracy {accuracy:.1%}; errors: {wrong}"


def test_data_covers_every_intent_and_heldout_is_never_trained_on():
    train, heldout = load_examples(TRAIN_DATA), load_examples(HELDOUT)
    assert len(train) + len(heldout) >= 300 and len(heldout) >= 100
    train_counts, heldout_counts = Counter(i for i, _ in train), Counter(i for i, _ in heldout)
    assert all(train_counts[intent] >= 20 and heldout_counts[intent] >= 5 for intent in INTENTS)
    assert not {normalize(t) for _, t in train} & {normalize(t) for _, t in heldout}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我兒子今年八歲，暑假想報名你們的託管班", "childcare.register"),  # traditional + 八岁
        ("周托一周多少錢？包不包住宿", "childcare.info"),
        ("託管班中午管飯嗎 孩子八歲", "childcare.info"),
        ("公司欠薪😡😡😡两个月了 工会快管管", "grievance.file"),
        ("老板逼我写自原辞职书 不写就不给工资", "grievance.file"),  # typo: 自原
        ("工上认定不下来 厂里不给赔", "grievance.file"),  # typo: 工上 for 工伤
        ("ＷＱ２０２４０９０１这个投诉现在啥进度", "grievance.status"),  # full-width
        ("手机包出新的了吗📰", "digest.latest"),  # typo: 手机包
        ("嗯那个就是我跑美团的嗯能不能入工会啊", "membership.join"),  # voice run-on
        ("外賣騎手在哪裡能歇腳喝口水", "service.stations"),
        ("在嗎在嗎？？？", "help"),
        ("👍👍👍", "fallback"),
        ("   ", "fallback"),
    ],
)
def test_tricky_texts(intent_classifier, text, intent):
    assert intent_classifier.predict(text)[0] == intent


def test_predict_returns_a_known_intent_and_a_probability(intent_classifier):
    intent, confidence = intent_classifier.predict("暑期托管几号开始")
    assert intent in INTENTS and 0.0 < confidence <= 1.0
    assert classify("暑期托管几号开始") == intent


def test_fast_scorer_agrees_with_scikit_learn():
    # Retrain to keep the scikit-learn objects that the fast scorer copies its numbers from.
    pairs = load_examples()
    features, model = fit([normalize(t) for _, t in pairs], [i for i, _ in pairs], analyze)
    scorer = LinearScorer(features, model)
    for _, text in load_examples(HELDOUT)[::7]:
        expected = model.predict_proba(features.transform([normalize(text)]))[0]
        assert scorer.probabilities(normalize(text)) == pytest.approx(expected, abs=1e-9)


def test_low_confidence_answers_fallback_when_a_threshold_is_set():
    tiny = Classifier([("help", "你好"), ("fallback", "天气"), ("digest.latest", "手机报")], threshold=0.99)
    assert tiny.predict("手机报") == ("fallback", pytest.approx(tiny.scorer.probabilities("手机报").max()))


def test_default_classifier_is_trained_once_across_threads(monkeypatch):
    built = []

    def slow_classifier() -> object:
        time.sleep(0.05)  # long enough for every thread to arrive while the first one trains
        built.append(object())
        return built[-1]

    monkeypatch.setattr(classifier_module, "_default", None)
    monkeypatch.setattr(classifier_module, "Classifier", slow_classifier)
    results = []
    threads = [threading.Thread(target=lambda: results.append(default_classifier())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and all(result is built[0] for result in results)


def test_load_examples_rejects_an_unknown_intent(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("# comment\n\nhelp\t你好\nweather\t天气\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:4"):
        load_examples(path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我家娃八歲了，能報名週托嗎？", "我家娃8岁了 能报名周托吗?"),  # traditional, numeral, punctuation
        ("ＨＥＬＬＯ　１２３！！", "hello 123"),  # full-width → half-width, lower case
        ("工资没发😭😭💰", "工资没发 钱"),  # emoji dropped, 💰 kept as a word
        ("欠了一万二块钱 三个月 第三十二期", "欠了12000块钱 3个月 第32期"),
        ("三书一公布 一下 统一 五一劳动奖", "三书一公布 一下 统一 五一劳动奖"),  # words, not numbers
        ("啊啊啊啊啊 谢谢 1000元", "啊啊 谢谢 1000元"),  # runs shortened, digits and 谢谢 kept
        ("嗯 嗯嗯 呃 那个 1+5+N", "那个 1+5+n"),  # filler dropped, 1+5+N kept
        ("", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("八", 8), ("十二", 12), ("二十", 20), ("一百五", 150), ("一百零五", 105), ("两万", 20000), ("二零二四", 2024)],
)
def test_chinese_to_int(numeral, value):
    assert chinese_to_int(numeral) == value


def test_cli_prints_one_intent_per_line_in_order():
    texts = "我想给孩子报名暑期托管\n\n转人工\n今天天气怎么样\n"
    result = CliRunner().invoke(bot, ["classify"], input=texts)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["childcare.register", "fallback", "human.handoff", "fallback"]


def test_first_classification_prints_nothing_to_stderr_and_raises_no_warning():
    code = "from bot.nlu import classify; print(classify('老板欠我三个月工资'))"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "grievance.file\n", "")
