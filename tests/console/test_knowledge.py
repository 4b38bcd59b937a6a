"""The knowledge base in a browser: an admin's edit reaches workers in WeChat, the test box, rules and rights."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.wechat.parsing import parse_xml
from app.wechat.simulator.pusher import text_xml
from bot.conversation import warm_up
from bot.knowledge.shipped import import_shipped
from models.audit import AuditEntry
from models.knowledge import KnowledgeEntry
from tests.app.wechat.conftest import WeChatServer

PROBATION = "试用期最长能约定多久啊"
HEAT = "高温津贴每月多少钱"
_msg_ids = itertools.count(7_000_000)


@pytest.fixture(scope="module", autouse=True)
def _warm_bot():
    """Train the classifier before the first message: WeChat's passive reply must come within 4 s."""
    warm_up()


@pytest.fixture
def entries(demo):
    """The shipped entries in the demo database, as `flask seed demo` leaves them."""
    import_shipped(demo.session)
    demo.session.commit()
    return demo


def _entry(demo, key: str) -> KnowledgeEntry:
    demo.session.expire_all()
    return demo.session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.key == key)).one()


def _worker_asks(app, text: str, openid: str = "oDemo-sunqiang") -> str:
    """Push a worker's text to /wechat as WeChat does and return the bot's passive reply."""
    response = WeChatServer(app.test_client()).post(text_xml(openid, text, next(_msg_ids)))
    return parse_xml(response.plain.encode())["Content"]


def _csrf(page: Page) -> str:
    return page.locator("input[name=csrf_token]").first.input_value()


def test_an_admin_edits_an_answer_and_a_worker_gets_it_in_wechat(official, entries, app, screenshot):
    assert "试用期长短看合同期限" in _worker_asks(app, PROBATION)
    page = official("xinxiang-admin")
    page.get_by_role("link", name="知识库").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("知识库")
    screenshot(page, "knowledge-list")
    page.get_by_label("关键词").fill("试用期")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="试用期最长能约定多久").click()
    answer = "试用期最长6个月：合同满三年或无固定期限才可以约定6个月，同一单位只能约定一次。回复“我要维权”或拨打12351。"
    page.get_by_label("答案").fill(answer)
    expect(page.locator("#answer-count")).to_have_text(f"{len(answer)} / 300 字")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").first).to_contain_text("已保存")
    entry = _entry(entries, "law.probation.length")
    assert entry.answer == answer and entry.updated_by == entries.official("xinxiang-admin").id
    [audit] = entries.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "knowledge_entry", AuditEntry.action == "update")
    ).all()
    assert (audit.actor, audit.object_id, audit.detail["fields"]) == ("xinxiang-admin", str(entry.id), ["answer"])
    assert _worker_asks(app, PROBATION).startswith(answer)


def test_a_new_entry_makes_a_question_answerable(official, entries, app):
    assert "超出了工会服务的范围" in _worker_asks(app, HEAT)
    page = official("xinxiang-admin")
    page.goto("/console/knowledge")
    page.get_by_role("link", name="新建条目").click()
    page.get_by_label("标题").fill("高温津贴")
    page.get_by_label("分类").select_option(label="劳动法律")
    page.get_by_label("意图").select_option(label="法律咨询")
    page.get_by_label("问法").fill(f"{HEAT}\n\n夏天高温补贴怎么发\n防暑降温费有多少")
    page.get_by_label("答案").fill(
        "35℃以上高温天气露天作业，或工作场所降不到33℃以下的，单位应发放高温津贴，计入工资总额。"
    )
    page.get_by_label("出处").fill("《防暑降温措施管理办法》第十七条")
    page.get_by_role("button", name="新建").click()
    expect(page.get_by_role("status").first).to_contain_text("已新建“高温津贴”")
    expect(page.get_by_role("heading", level=1)).to_have_text("高温津贴")
    created = entries.session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.title == "高温津贴")).one()
    assert created.question_list == [HEAT, "夏天高温补贴怎么发", "防暑降温费有多少"]
    assert "单位应发放高温津贴" in _worker_asks(app, HEAT)


def test_the_test_box_shows_the_entry_the_worker_gets_and_no_answer_off_topic(official, entries, screenshot):
    page = official("kangcun")
    page.goto("/console/knowledge")
    page.get_by_label("测试问题").fill(PROBATION)
    page.get_by_role("button", name="看看机器人怎么回答").click()
    verdict = page.get_by_role("region", name="机器人的回答")
    expect(verdict).to_contain_text("有答案")
    expect(verdict).to_contain_text("试用期长短看合同期限")
    expect(verdict).to_contain_text("依据：《劳动合同法》第十九条")
    expect(verdict).to_contain_text("识别的意图：法律咨询")
    first = page.locator("table.hits tbody tr").first
    expect(first).to_contain_text("试用期最长能约定多久")
    expect(first).to_contain_text("用于回答")
    screenshot(page, "knowledge-test")
    page.get_by_label("测试问题").fill("明天天气怎么样")
    page.get_by_role("button", name="看看机器人怎么回答").click()
    expect(verdict).to_contain_text("无答案")
    expect(verdict).to_contain_text("超出了工会服务的范围")
    expect(page.get_by_text("用于回答")).to_have_count(0)


def test_invalid_input_is_refused_in_chinese_and_the_typing_kept(official, entries, screenshot):
    entry = _entry(entries, "law.probation.length")
    page = official("xinxiang-admin")
    page.goto(f"/console/knowledge/{entry.id}")
    page.get_by_label("答案").fill("长" * 301)
    expect(page.locator("#answer-count")).to_have_text("301 / 300 字，超出 1 字")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("答案不能超过300个字（现在301个字）")
    expect(page.get_by_label("答案")).to_have_value("长" * 301)
    screenshot(page, "knowledge-entry")
    page.get_by_label("答案").fill("短一点的回答")
    page.get_by_label("问法").fill("  \n ")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("问法必须填写")
    fields = {"title": "标题", "topic": "labour_law", "questions": "问法", "answer": "回答", "source": "出处"}
    response = page.request.post(
        f"/console/knowledge/{entry.id}", form={**fields, "intent": "weather", "csrf_token": _csrf(page)}
    )
    assert response.status == 400 and "意图“weather”不在可选范围内" in response.text()
    assert _entry(entries, "law.probation.length").answer == entry.answer


def test_an_official_below_the_top_reads_and_tests_but_cannot_save(official, entries):
    entry = _entry(entries, "law.probation.length")
    page = official("huojia")
    page.goto("/console/knowledge")
    expect(page.get_by_role("link", name="新建条目")).to_have_count(0)
    page.get_by_role("link", name="试用期最长能约定多久").click()
    expect(page.get_by_role("status")).to_contain_text("只有最上级工会的管理员可以修改")
    expect(page.get_by_label("答案")).to_be_disabled()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    fields = {"title": "改", "topic": entry.topic, "intent": entry.intent, "questions": "问", "answer": "改"}
    fields["source"] = "出处"
    response = page.request.post(f"/console/knowledge/{entry.id}", form={**fields, "csrf_token": _csrf(page)})
    assert "知识库由全平台共用，只有最上级工会的管理员可以修改" in response.text()
    response = page.request.post(f"/console/knowledge/{entry.id}/active", form={"csrf_token": _csrf(page)})
    assert "只有最上级工会的管理员可以修改" in response.text()
    after = _entry(entries, "law.probation.length")
    assert (after.title, after.active) == (entry.title, True)


def test_an_admin_deactivates_an_entry_and_the_bot_stops_using_it(official, entries, app):
    entry = _entry(entries, "law.probation.length")
    page = official("xinxiang-admin")
    page.goto(f"/console/knowledge/{entry.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="停用此条目").click()
    expect(page.get_by_role("status").first).to_contain_text("已停用该条目")
    assert _entry(entries, "law.probation.length").active is False
    assert "试用期长短看合同期限" not in _worker_asks(app, PROBATION)
    page.goto("/console/knowledge?state=inactive")
    expect(page.locator("table.entries tbody tr")).to_have_count(1)
    page.get_by_role("link", name="试用期最长能约定多久").click()
    page.get_by_role("button", name="重新启用").click()
    expect(page.get_by_role("status").first).to_contain_text("已重新启用")
    assert "试用期长短看合同期限" in _worker_asks(app, PROBATION)


def test_the_list_filters_by_topic_and_intent_on_a_phone(official, entries, screenshot):
    page = official("chengguan", phone=True)
    page.goto("/console/knowledge")
    total = entries.session.scalar(select(func.count()).select_from(KnowledgeEntry))
    expect(page.get_by_text(f"共 {total} 条")).to_be_visible()
    page.get_by_label("分类").select_option(label="托管")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.entries tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_not_text="托管")).to_have_count(0)
    screenshot(page, "knowledge-phone")
    page.get_by_label("意图").select_option(label="职工培训")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("没有符合条件的条目。")).to_be_visible()
    assert re.search(r"topic=childcare", page.url) and "intent=training.menu" in page.url


def test_an_entry_that_does_not_exist_is_404(official, entries):
    page = official("xinxiang-admin")
    response = page.goto("/console/knowledge/999999")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")
