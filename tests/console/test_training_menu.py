"""The training menu and the demand ranking in a browser: topics added and changed, what workers and enterprises
ask for ranked as the domain ranks it, wishes not on the menu grouped, read-only accounts refused."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from models.demo_training import TITLE
from models.surveys import Reply, Survey, answer_survey
from models.training import Topic
from models.training_menu import demand

from .training_setup import training_class


def _topic(demo, title: str) -> Topic | None:
    demo.session.expire_all()
    found = demo.session.scalars(select(Topic).where(Topic.title == title)).one_or_none()
    return found


def test_the_province_puts_a_topic_on_its_menu_and_changes_it(official, demo):
    page = official("hebei-admin")
    page.goto("/console/training")
    page.get_by_role("navigation", name="职工培训").get_by_role("link", name="培训菜单").click()
    page.get_by_label("科目名称").fill("新版煤矿安全规程")
    page.get_by_label("面向行业").fill("煤炭")
    page.get_by_label("培训天数").fill("3")
    page.get_by_label("课时").fill("6")
    page.get_by_label("培训对象").fill("工会干部、一线群监员")
    page.get_by_label("授课专家").fill("省安监局专家\n省总工会劳动保护部")
    page.get_by_label("培训内容").fill("新版《煤矿安全规程》逐条解读。")
    page.get_by_role("button", name="加入菜单").click()
    expect(page.get_by_role("status")).to_have_text("“新版煤矿安全规程”已加入培训菜单。")
    row = page.get_by_role("row").filter(has_text="新版煤矿安全规程")
    expect(row).to_contain_text("3天 / 6课时")
    expect(row).to_contain_text("省安监局专家、省总工会劳动保护部")
    topic = _topic(demo, "新版煤矿安全规程")
    assert (topic.union.name, topic.industry, topic.days, topic.hours, topic.experts, topic.active) == (
        "河北省总工会",
        "煤炭",
        3,
        6,
        ["省安监局专家", "省总工会劳动保护部"],
        True,
    )
    demo.session.rollback()
    row.get_by_role("link", name="新版煤矿安全规程").click()
    page.get_by_label("课时").fill("8")
    page.get_by_label("面向行业").fill("")  # every industry
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("status")).to_have_text("已保存修改。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="从菜单下架").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已下架")
    topic = _topic(demo, "新版煤矿安全规程")
    assert (topic.hours, topic.industry, topic.days, topic.active) == (8, None, 3, False)
    demo.session.rollback()
    page.get_by_label("科目名称").fill("劳动保护知识（煤炭行业）")  # the name of another topic
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("alert")).to_have_text("菜单上已有同名科目")


def test_the_demand_ranking_is_the_domains_with_wishes_off_the_menu(official, demo, screenshot):
    survey = demo.session.scalars(select(Survey).where(Survey.title == TITLE)).one()
    contents, length, way, *_ = survey.questions
    for name, wanted in (("赵敏", [1, 3]), ("张伟", [3])):  # 职业病防治 and 应急救护, 应急救护
        replies = [Reply(contents.id, wanted), Reply(length.id, [1]), Reply(way.id, [0])]
        answer_survey(demo.session, worker=demo.worker(name), survey_id=survey.id, replies=replies)
    ranked = demand(demo.session, demo.actor("xinxiang-admin"))
    demo.session.rollback()
    page = official("xinxiang-admin")
    page.goto("/console/training")
    page.get_by_role("navigation", name="职工培训").get_by_role("link", name="需求排行").click()
    rows = page.locator("table.demand tbody tr")
    expect(rows).to_have_count(len(ranked))
    for n, expected in enumerate(ranked):
        cells = rows.nth(n).get_by_role("cell")
        expect(cells.nth(1)).to_contain_text(expected.title)
        expect(cells.nth(7)).to_have_text(str(expected.total))
    disease = rows.filter(has_text="职业病防治")  # 赵敏 ordered, 宝源化工 would send 20, one survey vote
    expect(disease.get_by_role("cell").nth(4)).to_have_text("1家 20人")
    expect(disease.get_by_role("cell").nth(5)).to_have_text("1")
    electric = rows.filter(has_text="电工安全操作")  # two wishes written differently, grouped
    expect(electric).to_contain_text("菜单外心愿")
    expect(electric.get_by_role("cell").nth(6)).to_have_text("2")
    screenshot(page, "training-demand")
    electric.get_by_role("link", name="加入菜单").click()
    expect(page).to_have_url(re.compile(r"/console/training/menu\?title="))
    expect(page.get_by_label("科目名称")).to_have_value("电工安全操作")
    page.get_by_role("link", name="需求排行").click()
    page.get_by_role("link", name="纺织", exact=True).click()
    expect(rows.filter(has_text="纺织机械安全防护")).to_have_count(1)  # 李娜 works in textiles
    expect(rows.filter(has_text="电工安全操作")).to_have_count(0)  # 张伟's and 杨磊's trades are others
    kailuan = official("kailuan")
    kailuan.goto("/console/training/demand")
    expect(kailuan.get_by_role("main")).to_contain_text("还没有点菜、问卷或心愿")


def test_a_read_only_account_changes_nothing_and_is_not_shown_the_check_in_code(official, demo):
    page = official("xinxiang-viewer")
    page.goto("/console/training/menu")
    expect(page.get_by_role("row").filter(has_text="应急救护")).to_be_visible()
    page.get_by_label("科目名称").fill("高处作业安全")
    page.get_by_label("培训天数").fill("1")
    page.get_by_label("课时").fill("4")
    page.get_by_role("button", name="加入菜单").click()
    expect(page.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    expect(page.get_by_label("科目名称")).to_have_value("高处作业安全")
    assert _topic(demo, "高处作业安全") is None
    first_aid = training_class(demo, "应急救护培训班（第一期）")
    page.goto(f"/console/training/classes/{first_aid.id}/attendance")
    expect(page.get_by_role("main")).to_contain_text("只读账号不显示签到码")
    expect(page.get_by_role("main")).not_to_contain_text(first_aid.checkin_code)
    page.goto(f"/console/training/classes/{first_aid.id}/code")
    expect(page.locator("body")).not_to_contain_text(first_aid.checkin_code)
