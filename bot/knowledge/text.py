"""Normalise and segment workers' Chinese text for retrieval."""

from __future__ import annotations

import logging
import threading
import unicodedata
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba


def _words(text: str) -> list[str]:
    """Split a space-separated word list; long Chinese lists read better as one string."""
    return text.split()


# Union and labour-law terms jieba's general dictionary splits apart or does not know; kept whole
# so that "三书一公布" or "幼托" is one strong match instead of a few weak characters.
DOMAIN_WORDS = _words(
    "1+5+n 2+1+n n+1 12351 三书一公布 告知书 意见书 建议书 日托 周托 幼托 托管班 金点子 爱心驿站 职工服务站 服务站 "
    "手机报 义诊 菜单式 点菜 外卖骑手 快递员 网约车 环卫工人 试用期 加班费 年假 产假 工伤 医疗期 病假 欠薪 讨薪 社保 "
    "双倍工资 经济补偿 赔偿金 最低工资 温暖基金 助学 入会 会费 心理咨询 法律援助"
)

# Domain words whose parts mean something else: "手机报" is not "手机" (or "手机坏了怎么修" would find
# the newspaper), nor is "快递员" "快递" (or "查快递" would find how couriers join the union).
WHOLE_WORDS = frozenset({"手机报", "快递员", "三书一公布"})

# Phrases jieba cuts into meaningless pieces, rewritten before segmentation.
PHRASES = {
    "一加五加n": "1+5+n",
    "不用来了": "辞退",
    "扫大街": "环卫工人",
    "清洁工": "环卫工人",
    "外卖小哥": "外卖骑手",
    "快递小哥": "快递员",
    "送快递": "快递员",
    "不想干了": "辞职",
    "不干了": "辞职",
}

# Colloquial words and their plain counterparts, so that "厂里欠我工钱" meets "单位拖欠工资".
SYNONYMS = {
    **dict.fromkeys(_words("老板 公司 厂里 厂子 工厂 企业 用人单位 东家"), "单位"),
    **dict.fromkeys(_words("欠 拖欠 讨薪 拖薪"), "欠薪"),
    **dict.fromkeys(_words("工钱 薪水 薪资 薪酬"), "工资"),
    **dict.fromkeys(_words("开除 解雇 炒鱿鱼 辞掉 开掉"), "辞退"),
    **dict.fromkeys(_words("养老保险 医疗保险 失业保险 生育保险 社会保险 五险 五险一金"), "社保"),
    **dict.fromkeys(_words("娃 小孩 小孩子 孩儿 小朋友 子女"), "孩子"),
    **dict.fromkeys(_words("骑手 外卖员 送外卖"), "外卖骑手"),
    **dict.fromkeys(_words("滴滴 开网约车"), "网约车"),
    **dict.fromkeys(_words("年休假 带薪年假"), "年假"),
    **dict.fromkeys(_words("裁 被裁 裁人"), "裁员"),
    "赔": "赔偿",
    **dict.fromkeys(_words("周六 周日 星期六 星期天 星期日 礼拜六 礼拜天 双休日"), "周末"),
    **dict.fromkeys(_words("点子 好点子 好主意 合理化建议"), "金点子"),
    **dict.fromkeys(_words("传出去 外传 泄露 泄密"), "保密"),
    "钟头": "小时",
    "工友": "同事",
}

# Words that say nothing about which answer fits: question particles, pronouns, politeness.
STOPWORDS = frozenset(
    _words(
        "的 了 吗 呢 啊 吧 呀 么 嘛 哦 哈 是 在 有 和 与 及 或 就 都 也 还 又 很 太 这 那 这个 那个 这样 那样 "
        "说 讲 告诉 我 我们 你 你们 您 他 她 它 他们 咱 咱们 自己 人家 请问 请 问 问一下 一下 想 想问 想知道 知道 "
        "怎么 怎么办 怎样 如何 什么 啥 咋 咋办 哪 哪里 哪儿 多少 几 吗 能 能不能 可以 可不可以 会 要 要不要 "
        "应该 需要 是不是 有没有 算不算 个 些 给 把 被 让 从 对 向 为 为了 到 去 来 上 下 里 中 "
        "附近 地方 一 一个 现在 今天 明天 昨天 最近 一直 突然 到底 实在 真的 特别 非常 怎么样 多少钱 已经 "
        "如果 但是 可是 因为 所以 然后 不 没 没有 好 谢谢 你好 您好 麻烦"
    )
)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _load_tokenizer() -> jieba.Tokenizer:
    """Build the jieba tokenizer quietly: no progress lines on stderr, no import-time warnings."""
    with warnings.catch_warnings():
        # jieba 0.42.1 imports pkg_resources, deprecated in newer setuptools; the suite turns warnings into errors.
        warnings.simplefilter("ignore")
        import jieba
        import zhconv

        zhconv.convert("預熱", "zh-cn")  # load zhconv's tables now, under this lock, not in a search
    jieba.setLogLevel(logging.WARNING)  # silence "Building prefix dict ..." on stderr
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=100_000)
    return tokenizer


def tokenizer() -> jieba.Tokenizer:
    """Return the shared tokenizer, building it once; jieba's segmentation only reads it afterwards."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            _tokenizer = _load_tokenizer()
        return _tokenizer


def normalise(text: str) -> str:
    """Fold full-width forms, case, traditional characters and split-prone phrases so that variants match."""
    import zhconv

    text = zhconv.convert(unicodedata.normalize("NFKC", text).lower(), "zh-cn")
    for phrase, plain in PHRASES.items():
        text = text.replace(phrase, plain)
    return text


def _meaningful(token: str) -> bool:
    # A token carries meaning when it has a letter, a digit or a Chinese character and is no stopword.
    return token not in STOPWORDS and any(ch.isalnum() for ch in token)


def _parts(word: str, known: dict[str, int]) -> list[str]:
    """Return a word and the dictionary words inside it, as jieba's search mode does."""
    if word in WHOLE_WORDS or len(word) < 3:
        return [word]
    return [
        word[i : i + n] for n in (2, 3) if len(word) > n for i in range(len(word) - n + 1) if known.get(word[i : i + n])
    ] + [word]


def tokens(text: str) -> list[str]:
    """Segment text into search terms: each word and its parts, colloquial words mapped to plain ones."""
    segmenter = tokenizer()
    words = (
        SYNONYMS.get(part, part) for word in segmenter.cut(normalise(text)) for part in _parts(word, segmenter.FREQ)
    )
    return [word for word in words if _meaningful(word)]
