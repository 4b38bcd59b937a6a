"""The knowledge base: its files validate, workers' questions find the right entry, off-topic ones none."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.knowledge import INTENTS, THRESHOLD, Entry, Hit, KnowledgeBase, KnowledgeError
from bot.knowledge.entries import read_directory
from config import ROOT

# How workers really ask, in their own words; none is copied from the entries' `questions`.
QUESTIONS = [
    ("签了两年的合同，试用期给我定了三个月，这样可以吗", "law.probation.length"),
    ("我签的是无固定期限合同，试用期最多几个月", "law.probation.length"),
    ("试用期工资只有转正的六成，合法不", "law.probation.pay"),
    ("试用期工资给的比合同上写的低一大截", "law.probation.pay"),
    ("周六被叫去厂里干了一天活，加班费按几倍算", "law.overtime.pay"),
    ("春节初一到初三让上班，工资给几倍", "law.overtime.pay"),
    ("一天干十四个钟头，一个月才休两天", "law.working_hours"),
    ("拿到手的工资还不到最低工资", "law.minimum_wage"),
    ("厂里欠了我三个月工资不发怎么办", "law.wages.unpaid"),
    ("工資被拖欠三個月了怎麼辦", "law.wages.unpaid"),
    ("单位欠薪，我能直接不干了还要补偿吗", "law.resignation.employer_fault"),
    ("我要辞职，领导不同意，扣着不让走", "law.resignation"),
    ("在公司干了八年被裁了，应该赔我多少", "law.compensation"),
    ("ｎ＋１怎么算", "law.compensation"),
    ("老板今天突然说明天不用来了，也没说原因", "law.dismissal.unlawful"),
    ("刚查出怀孕，公司就想辞退我", "law.dismissal.pregnancy"),
    ("哺乳期单位给我调岗降薪", "law.dismissal.pregnancy"),
    ("干了快一年了，老板一直没跟我签劳动合同", "law.contract.unsigned"),
    ("连续签了两次固定期限合同，这次续签单位还给签一年的", "law.contract.open_ended"),
    ("单位一直没给我缴养老保险", "law.social_insurance"),
    ("被机器轧伤了手指，厂里不给申报工伤", "law.injury.recognition"),
    ("早上去上班路上被汽车撞了", "law.injury.commute"),
    ("我参加工作十二年了，年休假应该有几天", "law.annual_leave"),
    ("老婆快生了，产假一共多少天", "law.maternity_leave"),
    ("病了住院两个月，公司要把我辞了", "law.sick_leave"),
    ("离职都一年半了，还能申请劳动仲裁吗", "law.arbitration.limit"),
    ("申请劳动仲裁收费吗", "law.arbitration.how"),
    ("公司让我们写自愿辞职书，不写就不给补偿", "grievance.forced_resignation"),
    ("获嘉那个一加五加N是什么", "grievance.linkage"),
    ("工会发的意见书单位不理怎么办", "grievance.three_documents"),
    ("想找个律师咨询一下，但是没钱", "service.legal_aid"),
    ("最近工作压力很大，晚上老失眠", "service.counseling.stress"),
    ("找心理老师聊的事会不会传出去", "service.counseling.privacy"),
    ("厂里想请医院的医生来给工人看看病", "service.clinic.booking"),
    ("公司想组织职工听健康讲座", "service.clinic.health_talk"),
    ("我是扫大街的，附近有没有能喝口热水的地方", "service.stations.outdoor"),
    ("老公得了重病，家里实在困难", "service.hardship.apply"),
    ("我家孩子上大学没钱，工会能不能资助点", "service.hardship.education"),
    ("温暖基金能帮我什么", "service.hardship.fund"),
    ("我有个节约成本的好点子", "suggestion.golden_ideas"),
    ("孩子放暑假了家里没人看，工会能帮忙带吗", "childcare.what"),
    ("周托是住在那里吗", "childcare.kinds"),
    ("托管班里老师能帮孩子写作业吗", "childcare.courses"),
    ("托管班一个班配几个老师", "childcare.staffing"),
    ("托管班中午吃什么，安全有人管吗", "childcare.safety"),
    ("怎么给孩子报名暑期托管", "childcare.signup"),
    ("医院工会办的寒假托管班还有吗", "childcare.winter"),
    ("我是美团骑手，可以加入工会吗", "membership.gig"),
    ("开网约车的怎么加入工会", "membership.gig"),
    ("交会费吗，每月多少钱", "membership.dues"),
    ("想参加工会的培训，收费不", "training.cost"),
    ("工会那个点菜式的培训到底是啥", "training.what"),
    ("工会手机报有哪些栏目", "digest.what"),
    ("转人工", "help.human"),
]

OFF_TOPIC = [
    "明天天气怎么样",
    "明天会下雨吗",
    "今天股票能涨吗",
    "今天股市大盘怎么走",
    "给我讲个笑话",
    "讲个段子听听",
    "推荐一部好看的电影",
    "红烧肉怎么做",
    "帮我写一首诗",
    "比特币现在多少钱",
    "附近有什么好吃的餐厅",
    "我想买辆车",
    "我的手机坏了怎么修",
    "帮我查一下快递到哪了",
    "你好",
    "",
]

GOOD = """
[[entry]]
id = "x.ok"
intent = "help"
title = "标题"
questions = ["问法"]
answer = "回答"
source = "出处"
"""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_the_data_loads_with_enough_entries_from_every_topic(kb):
    topics = {entry.topic for entry in kb.entries}
    assert len(kb) >= 40
    assert {"labour_law", "grievance", "union_services", "childcare", "membership", "training", "digest"} <= topics
    assert {entry.intent for entry in kb.entries} <= INTENTS
    assert len({entry.id for entry in kb.entries}) == len(kb)


@pytest.mark.parametrize("entry", read_directory(), ids=lambda entry: entry.id)
def test_every_answer_is_short_sourced_and_says_what_to_do_next(entry: Entry):
    assert len(entry.answer) <= 200
    assert len(entry.questions) >= 3
    assert entry.source
    assert "回复" in entry.answer or "12351" in entry.answer
    # The only phone number an answer may give is the national union hotline; no invented local numbers.
    assert set(re.findall(r"\d{5,}", entry.answer)) <= {"12351"}


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_a_workers_question_finds_the_right_entry(kb, question, expected):
    entry = kb.best(question)
    assert entry is not None, f"nothing found; best hits {kb.search(question)}"
    assert entry.id == expected, f"found {entry.id}; hits {kb.search(question)}"


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_an_off_topic_question_finds_nothing(kb, question):
    assert kb.best(question) is None, kb.search(question)


def test_every_entry_is_found_by_its_own_title_and_questions(kb):
    # Guards editors: a new entry must not shadow an old one's ways of asking.
    for entry in kb.entries:
        for question in (entry.title, *entry.questions):
            assert kb.best(question) == entry, (entry.id, question, kb.search(question))


def test_search_ranks_scores_within_0_and_1_and_filters_by_intent(kb):
    hits = kb.search("加班费怎么算", limit=5)
    assert len(hits) == 5 and all(isinstance(hit, Hit) for hit in hits)
    assert all(0 < hit.score < 1 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert hits[0].score >= THRESHOLD
    assert all(hit.entry.intent == "childcare.info" for hit in kb.search("托管班加班费", intent="childcare.info"))
    assert kb.best("加班费怎么算", intent="membership.join") is None
    assert kb.search("加班费", limit=0) == []


def test_traditional_and_full_width_text_finds_the_same_entry(kb):
    assert kb.best("試用期最長幾個月").id == kb.best("试用期最长几个月").id == "law.probation.length"
    assert kb.best("１＋５＋Ｎ是什么").id == "grievance.linkage"


@pytest.mark.parametrize(
    ("entry_id", "facts"),
    [
        ("law.overtime.pay", ["150%", "200%", "300%"]),
        ("law.probation.length", ["1个月", "2个月", "6个月", "一次"]),
        ("law.probation.pay", ["80%", "最低工资标准"]),
        ("law.arbitration.limit", ["一年"]),
        ("law.arbitration.how", ["不收费"]),
        ("law.maternity_leave", ["98天", "15天", "42天", "以当地"]),
        ("law.annual_leave", ["5天", "10天", "15天"]),
        ("law.injury.recognition", ["30日", "1年", "工会"]),
        ("law.compensation", ["每满一年支付一个月工资", "半个月"]),
        ("law.contract.unsigned", ["两倍工资"]),
        ("law.wages.unpaid", ["50%至100%"]),
        ("law.working_hours", ["8小时", "44小时", "40小时", "36小时"]),
        ("grievance.forced_resignation", ["先别签", "经济补偿", "12351"]),
        ("childcare.staffing", ["2名", "1名机动岗"]),
        ("digest.what", ["每周", "工会要闻", "维权服务"]),
    ],
)
def test_facts_in_the_answers(kb, entry_id, facts):
    answer = kb.get(entry_id).answer
    assert [fact for fact in facts if fact not in answer] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace('answer = "回答"\n', ""), "bad.toml, entry 1 (id 'x.ok'): missing field 'answer'"),
        (GOOD.replace('"help"', '"weather"'), "bad.toml, entry 1 (id 'x.ok'): 意图“weather”不在可选范围内"),
        (GOOD.replace('["问法"]', "[]"), "entry 1 (id 'x.ok'): 请至少填写一个问法"),
        (GOOD.replace('["问法"]', '["问法", 3]'), "field 'questions' must be a list of texts"),
        (GOOD.replace('title = "标题"', 'title = "  "'), "entry 1 (id 'x.ok'): 标题不能为空"),
        (GOOD.replace('"回答"', '"' + "长" * 301 + '"'), "答案不能超过300个字（现在301个字）"),
        (GOOD.replace("questions", "qustions"), "unknown field(s) qustions"),
        (GOOD + GOOD.replace("x.ok", "x.two").replace("出处", ""), "entry 2 (id 'x.two'): 出处不能为空"),
        (GOOD.replace('answer = "回答"', 'answer = "回答'), "bad.toml: not valid TOML"),
        ("# nothing yet\n", "bad.toml: no [[entry]] tables"),
    ],
)
def test_a_malformed_file_is_refused_naming_file_and_entry(tmp_path: Path, text, message):
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        KnowledgeBase.load(tmp_path)
    assert message in str(error.value)


def test_an_id_used_twice_is_refused(tmp_path: Path):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"b\.toml: entry id 'x\.ok' is already used in a\.toml"):
        KnowledgeBase.load(tmp_path)


def test_a_search_takes_well_under_5_ms(kb):
    texts = [question for question, _ in QUESTIONS] * 4
    started = time.perf_counter()
    for text in texts:
        kb.search(text)
    assert (time.perf_counter() - started) / len(texts) < 0.005


def test_searches_from_many_threads_agree_with_one_thread(kb):
    texts = [question for question, _ in QUESTIONS] * 8
    expected = [kb.search(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(kb.search, texts)) == expected


def test_loading_is_quiet(tmp_path: Path):
    # A fresh process: jieba prints "Building prefix dict" and warns only on its first load.
    code = "from bot.knowledge import KnowledgeBase; KnowledgeBase.load().best('加班费')"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == done.stderr == ""
