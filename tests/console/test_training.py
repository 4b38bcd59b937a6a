"""Training classes in a browser: the province schedules a class and sets quotas, an enterprise union sends its
Excel list within its quota, a class is called off, and each official sees only what is theirs."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from models.base import today
from models.notifications import Notification
from models.training import ClassQuota, Enrolment, TrainingClass

from .training_setup import COAL_CLASS, COAL_TOPIC, coal_class, send_list, training_class, upload, workbook


def _enrolled(demo, training_id: int) -> list[tuple[str, str, str | None]]:
    demo.session.expire_all()
    rows = demo.session.scalars(
        select(Enrolment)
        .where(Enrolment.class_id == training_id, Enrolment.status != "cancelled")
        .order_by(Enrolment.id)
    )
    names = [(e.worker.name, e.enterprise.name, e.role) for e in rows]
    demo.session.rollback()  # end the read: the server writes to the same SQLite file
    return names


def test_the_province_schedules_a_class_for_a_topic_and_sets_quotas(official, demo):
    page = official("hebei-admin")
    page.get_by_role("link", name="职工培训").click()
    page.get_by_role("navigation", name="职工培训").get_by_role("link", name="培训班").click()
    page.get_by_role("link", name="开新班").click()
    starts = today() + timedelta(days=30)
    page.get_by_label("培训科目").select_option(label=f"{COAL_TOPIC}（煤炭，3天6课时）")
    page.get_by_label("班级名称").fill("煤炭行业劳动保护知识培训班（第三期）")
    page.get_by_label("开班日期").fill(starts.isoformat())
    page.get_by_label("结业日期").fill((starts + timedelta(days=2)).isoformat())
    page.get_by_label("报名截止时间").fill(f"{starts - timedelta(days=7)}T18:00")
    page.get_by_label("培训地点").fill("秦皇岛市北戴河区 河北省总工会职工培训基地")
    page.get_by_label("名额").fill("120")
    page.get_by_role("button", name="开班").click()
    expect(page.get_by_role("status")).to_contain_text("已开班：煤炭行业劳动保护知识培训班（第三期）")
    expect(page.get_by_role("heading", level=1)).to_have_text("煤炭行业劳动保护知识培训班（第三期）")
    for enterprise, seats in (("开滦集团", "83"), ("冀中能源集团", "30")):
        page.get_by_label("企业").select_option(label=enterprise)
        page.get_by_label("名额", exact=True).fill(seats)
        page.get_by_role("button", name="设置名额").click()
        expect(page.get_by_role("status")).to_contain_text(f"{enterprise}的名额已设为{seats}个")
    page.get_by_label("企业").select_option(label="开滦集团")
    page.get_by_label("名额", exact=True).fill("91")  # 91 + 30 > 120
    page.get_by_role("button", name="设置名额").click()
    expect(page.get_by_role("alert")).to_have_text("名额不足：该班最多还能分配7个名额")
    expect(page.get_by_role("row").filter(has_text="开滦集团")).to_contain_text("83")
    demo.session.expire_all()
    made = demo.session.scalars(
        select(TrainingClass).where(TrainingClass.title == "煤炭行业劳动保护知识培训班（第三期）")
    ).one()
    assert (made.starts_on, made.capacity, made.quota_seats, made.hours) == (starts, 120, 113, 6)
    assert made.experts[0] == "省安监局专家（煤矿安全规程）"  # the topic's, as none were typed
    assert [(q.enterprise.name, q.seats, q.used) for q in made.quotas] == [("开滦集团", 83, 0), ("冀中能源集团", 30, 0)]


def test_a_form_with_a_broken_rule_keeps_what_was_typed(official, demo):
    page = official("hebei-admin")
    page.goto("/console/training/classes/new")
    page.get_by_label("培训科目").select_option(label=f"{COAL_TOPIC}（煤炭，3天6课时）")
    page.get_by_label("开班日期").fill(today().isoformat())  # classes open after today
    page.get_by_label("培训地点").fill("唐山市")
    page.get_by_label("名额").fill("100")
    page.get_by_role("button", name="开班").click()
    expect(page.get_by_role("alert")).to_have_text("开班日期应晚于今天")
    expect(page.get_by_label("培训地点")).to_have_value("唐山市")
    page.get_by_label("开班日期").fill((today() + timedelta(days=9)).isoformat())
    page.get_by_label("结业日期").fill((today() + timedelta(days=8)).isoformat())
    page.get_by_role("button", name="开班").click()
    expect(page.get_by_role("alert")).to_have_text("开班日期应不晚于结业日期")
    demo.session.expire_all()
    assert demo.session.scalar(select(func.count()).select_from(TrainingClass)) == 8  # the demo's only
    demo.session.rollback()


def test_an_enterprise_union_sends_its_excel_list_within_its_quota(official, demo, screenshot):
    training = coal_class(demo, quotas={"开滦集团": 5, "冀中能源集团": 3})
    page = official("kailuan")
    page.get_by_role("link", name="职工培训").click()
    row = page.get_by_role("row").filter(has_text="开滦专题班")
    expect(row).to_contain_text("开滦集团")
    row.get_by_role("link", name="报名名单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开滦集团参训名单")
    upload(
        page,
        workbook(("王建军", 13931580100, "工会干部"), ("李志强", "139-3158-0101", "群监员"), ("赵海波", "13931580102")),
    )
    expect(page.get_by_role("status")).to_have_text("名单已提交：新报名3人；开滦集团的名额还剩2个。")
    expect(page.get_by_role("row").filter(has_text="王建军")).to_contain_text("139****0100")
    expect(page.get_by_role("heading", name="已报名 3 人")).to_be_visible()
    assert _enrolled(demo, training.id) == [
        ("王建军", "开滦集团", "工会干部"),
        ("李志强", "开滦集团", "群监员"),
        ("赵海波", "开滦集团", None),
    ]
    # Three more would pass the two places left: refused whole, nothing saved.
    upload(page, workbook(("孙立新", "13931580103"), ("周国庆", "13931580104"), ("吴春生", "13931580105")))
    expect(page.get_by_role("alert")).to_have_text("开滦集团的名额还剩2个，本次名单新增3人，超出名额")
    # A bad phone number is named by its row in the sheet.
    upload(page, workbook(("孙立新", "13931580103"), ("周国庆", "1393158")))
    expect(page.get_by_role("alert")).to_have_text("第4行：请输入正确的11位手机号码")
    assert len(_enrolled(demo, training.id)) == 3
    demo.session.expire_all()
    quota = demo.session.scalars(select(ClassQuota).where(ClassQuota.class_id == training.id)).first()
    assert (quota.enterprise.name, quota.used) == ("开滦集团", 3)
    demo.session.rollback()
    # The province sees 开滦's people on the class page with the quotas.
    province = official("hebei-admin")
    province.goto(f"/console/training/classes/{training.id}")
    expect(province.get_by_role("row").filter(has_text="李志强")).to_contain_text("开滦集团")
    expect(province.get_by_role("row").filter(has_text="冀中能源集团").first).to_contain_text("3")
    screenshot(province, "training-class")


def test_an_enterprise_union_cannot_see_another_enterprises_list(official, demo):
    training = coal_class(demo, quotas={"开滦集团": 5, "冀中能源集团": 3})
    send_list(demo, training, "开滦集团", [("王建军", "13931580100")])
    page = official("jizhong")
    page.get_by_role("link", name="职工培训").click()
    mine = page.get_by_role("row").filter(has_text="开滦专题班")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("冀中能源集团")
    kailuan = demo.enterprise("开滦集团").id
    response = page.goto(f"/console/training/classes/{training.id}/enterprises/{kailuan}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")
    expect(page.locator("main")).not_to_contain_text("王建军")
    assert page.goto(f"/console/training/classes/{training.id}").status == 404  # the organiser's page


def test_a_city_official_sees_none_of_the_provinces_classes(official, demo):
    coal = training_class(demo)
    page = official("huojia")
    page.goto("/console/training/classes")
    expect(page.get_by_role("main")).not_to_contain_text("煤炭")
    expect(page.get_by_role("main")).to_contain_text("还没有培训班")
    for path in ("", "/attendance", "/code", "/certificates", "/ratings", "/enrolments.xlsx"):
        assert page.goto(f"/console/training/classes/{coal.id}{path}").status == 404, path
    kailuan = demo.enterprise("开滦集团").id
    assert page.goto(f"/console/training/classes/{coal.id}/enterprises/{kailuan}").status == 404
    page.goto("/console/training")
    expect(page.get_by_role("main")).not_to_contain_text(COAL_CLASS)


def test_the_province_calls_off_a_class_and_everyone_enrolled_is_told(official, demo):
    training = coal_class(demo, quotas={"开滦集团": 5})
    send_list(demo, training, "开滦集团", [("王建军", "13931580100"), ("李志强", "13931580101")])
    page = official("hebei-admin")
    page.goto(f"/console/training/classes/{training.id}")
    page.get_by_text("取消培训班", exact=True).first.click()  # open the folded form
    page.get_by_label("取消原因").fill("专家行程冲突，另行通知")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="取消培训班").click()
    expect(page.get_by_role("status")).to_have_text("培训班已取消，已通知2位学员。")
    expect(page.locator("main > p.muted").first).to_contain_text("已取消")
    demo.session.expire_all()
    assert demo.session.get(TrainingClass, training.id).cancelled_at is not None
    told = select(func.count()).select_from(Notification).where(Notification.kind == "training_cancelled")
    assert demo.session.scalar(told) == 2
    demo.session.rollback()
    page.goto("/console/training/classes")
    expect(page.get_by_role("row").filter(has_text="开滦专题班")).to_contain_text("已取消")
    assert re.search(r"/console/training/classes$", page.url)
