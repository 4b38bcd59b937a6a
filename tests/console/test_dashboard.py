"""The dashboard in a browser: the figures of the official's scope, charts that read on a phone, overdue cases."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from models import digest_issues
from models.base import LOCAL_TZ, utcnow
from models.childcare import CONFIRMED, CareSession, Kind, Program, Registration
from models.digest_publishing import publish
from models.digests import DRAFT, PUBLISHED, Digest
from models.grievance_cases import OPEN_STATES
from models.grievances import GrievanceCase
from models.push_ledger import create_push, start_push
from models.pushes import SENT, Delivery
from models.registrations import ChildInfo, register_child
from models.training import Enrolment, TrainingClass
from models.training_menu import demand
from models.workers import Worker
from tests.pushing import add_workers, run

# (guardian, program, child, born): the demo's winter care, day and pre-school
CHILDREN = [
    ("刘洋", "新乡县总工会2027年寒假爱心托管（日托）", "刘子涵", date(2018, 5, 12)),
    ("刘洋", "新乡县总工会2027年寒假爱心托管（幼托）", "刘子轩", date(2022, 9, 3)),
    ("王芳", "新医一附院2027年寒假职工子女托管班", "陈思远", date(2016, 10, 20)),
]


BROADCAST = "职工维权服务提醒"


@pytest.fixture
def activity(app, demo, simulator):
    """Children registered, the next 手机报 issue published and a broadcast sent, by the domain's own operations."""
    session = demo.session
    for guardian, title, child, born in CHILDREN:
        worker = demo.worker(guardian)
        care = session.scalars(select(CareSession).join(Program).where(Program.title == title)).one()
        register_child(
            session,
            guardian=worker,
            session_id=care.id,
            child=ChildInfo(child, born, "女"),
            guardian_phone=worker.phone,
            emergency_contact="爷爷 13937310000",
            consent=True,
        )
    township = demo.union("获嘉县亢村镇工会")
    add_workers(session, township, "亢村粉丝", 3, follow=True, simulator=simulator)
    add_workers(session, township, "亢村小程序", 2, grant=True)  # no grant at WeChat's end: 43101, skipped
    issue = session.scalars(select(Digest).where(Digest.status == DRAFT)).one()
    digest_issues.approve(session, demo.actor("xinxiang-admin"), issue.id)
    session.commit()
    publish(session, issue, now=utcnow(), base_url="https://gonghui.example.cn")
    text = {"type": "text", "text": "遇到拖欠工资、被迫辞职，请在公众号发送“我要维权”。"}
    push = create_push(
        session,
        demo.actor("huojia"),
        kind="broadcast",
        title="职工维权服务提醒",
        message=text,
        audience={"everyone": True},
    )
    start_push(session, push.id)
    session.commit()
    run(app)
    session.expire_all()
    return issue, push


def _figure(page, name: str):
    return page.locator(f"#figure-{name} b")


def _children(demo, username: str, kind: Kind | None = None) -> int:
    """Count the confirmed children of the latest year's programs of an official's scope (of a kind)."""
    scope = demo.actor(username).union_ids
    year = demo.session.scalar(select(func.max(Program.year)).where(Program.union_id.in_(scope)))
    query = (
        select(func.count())
        .select_from(Registration)
        .join(CareSession)
        .join(Program)
        .where(Program.union_id.in_(scope), Program.year == year, Registration.status == CONFIRMED)
    )
    return demo.session.scalar(query if kind is None else query.where(Program.kind == kind))


def _cases(demo, username: str) -> list[GrievanceCase]:
    scope = demo.actor(username).union_ids
    return list(demo.session.scalars(select(GrievanceCase).where(GrievanceCase.union_id.in_(scope))))


def _last_issue(demo) -> Digest:
    return demo.session.scalars(select(Digest).where(Digest.status == PUBLISHED).order_by(Digest.number.desc())).first()


def test_the_city_admin_sees_the_figures_of_all_of_xinxiang(official, demo, activity, screenshot):
    children = _children(demo, "xinxiang-admin")
    cases = _cases(demo, "xinxiang-admin")
    this_year = utcnow().astimezone(LOCAL_TZ).year
    recovered = sum(
        (c.amount_recovered or Decimal(0) for c in cases if c.resolved_at and c.created_at.year == this_year),
        Decimal(0),
    )
    issue, broadcast = activity
    assert _last_issue(demo).id == issue.id
    rows = select(func.count()).select_from(Delivery).where(Delivery.push_id == issue.push_id)
    recipients, sent = demo.session.scalar(rows), demo.session.scalar(rows.where(Delivery.status == SENT))
    assert children and recovered and sent  # the demo has something to show in each
    late = next(c for c in cases if c.status == "received")
    late.deadline_at = utcnow() - timedelta(hours=5)  # a township's case: the city sees it too
    demo.session.commit()
    page = official("xinxiang-admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("概览")
    expect(_figure(page, "care")).to_have_text(str(children))
    expect(_figure(page, "open")).to_have_text(str(sum(c.status in OPEN_STATES for c in cases)))
    expect(_figure(page, "recovered")).to_have_text(f"¥{recovered:,.0f}")
    expect(_figure(page, "overdue")).to_have_text("1")
    expect(page.locator("tr.overdue")).to_contain_text(late.number)
    expect(_figure(page, "digest")).to_have_text(f"{sent} / {recipients} 人")
    expect(page.locator("#figure-digest")).to_contain_text(f"第{issue.number}期")
    kinds = page.get_by_role("img", name="各类托管报名人数")
    expect(kinds.locator("desc")).to_contain_text(f"日托：{_children(demo, 'xinxiang-admin', Kind.DAY)}人")
    reached = demo.session.scalars(select(Delivery.status).where(Delivery.push_id == broadcast.id)).all()
    expect(page.get_by_role("img", name="最近群发消息送达情况").locator("desc")).to_contain_text(
        f"{BROADCAST}：{reached.count(SENT)}/{len(reached)}人"
    )
    top = demand(demo.session, demo.actor("xinxiang-admin"))[0]
    expect(page.get_by_role("img", name="培训需求排行（前10）").locator("text.label").first).to_have_text(top.title)
    expect(page.get_by_role("img", name="各类别案件数")).to_contain_text("拖欠工资")
    screenshot(page, "dashboard")


def test_a_township_official_sees_only_their_township(official, demo, activity):
    kangcun, chengguan = official("kangcun"), official("chengguan")
    expect(_figure(kangcun, "open")).to_have_text(str(sum(c.status in OPEN_STATES for c in _cases(demo, "kangcun"))))
    expect(_figure(chengguan, "open")).to_have_text("0")
    expect(_figure(kangcun, "recovered")).to_have_text("¥0")
    expect(_figure(chengguan, "recovered")).to_have_text("¥52,800")
    by_category = kangcun.get_by_role("img", name="各类别案件数")
    expect(by_category).to_contain_text("被迫辞职或辞退没有补偿")
    expect(by_category).not_to_contain_text("拖欠工资")
    expect(chengguan.get_by_role("img", name="各类别案件数")).not_to_contain_text("被迫辞职")
    # the city's paper reaches the township: the township official sees its own workers' share only
    township = demo.union("获嘉县亢村镇工会").id
    rows = demo.session.scalars(select(Delivery).where(Delivery.push_id == activity[0].push_id)).all()
    mine = [r for r in rows if township in demo.session.get(Worker, r.worker_id).scope_union_ids]
    sent = sum(r.status == SENT for r in mine)
    assert 0 < sent < len(mine) < len(rows)
    expect(_figure(kangcun, "digest")).to_have_text(f"{sent} / {len(mine)} 人")
    expect(kangcun.get_by_text("本范围内职工")).to_be_visible()
    expect(kangcun.get_by_text("最近没有群发消息。")).to_be_visible()  # the county's broadcast is above them
    expect(kangcun.get_by_text("暂无托管报名。").first).to_be_visible()  # no childcare in 获嘉县


def test_an_overdue_case_is_highlighted_in_red_and_links_to_the_case(official, demo):
    case = next(c for c in _cases(demo, "kangcun") if c.status == "received")
    case.deadline_at = utcnow() - timedelta(days=2, hours=1)
    demo.session.commit()
    page = official("kangcun")
    expect(page.locator("#figure-overdue")).to_have_class(re.compile(r"\balarm\b"))
    expect(_figure(page, "overdue")).to_have_text("1")
    row = page.locator("tr.overdue")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(case.employer_name)
    expect(row.locator(".badge.bad")).to_have_text("已逾期2天")
    expect(row.get_by_role("link", name=case.number)).to_have_attribute("href", f"/console/grievances/{case.id}")
    assert row.evaluate("r => getComputedStyle(r.querySelector('td')).backgroundColor") == "rgb(255, 245, 245)"
    other = official("chengguan")
    expect(other.locator("tr.overdue")).to_have_count(0)
    expect(other.get_by_text("没有逾期案件。")).to_be_visible()


def test_class_ratings_and_empty_states_for_a_scope_without_cases(official, demo):
    ratings = demo.session.execute(
        select(TrainingClass.title, func.avg(Enrolment.rating), func.count(Enrolment.rating))
        .join(Enrolment)
        .where(Enrolment.rating.is_not(None))
        .group_by(TrainingClass.id, TrainingClass.title)
    ).all()
    [(title, average, rated)] = ratings
    page = official("hebei-admin")
    chart = page.get_by_role("img", name="培训班评分（满分5分）")
    expect(chart.locator("desc")).to_have_text(f"{title}：{round(float(average), 2):g}分 · {rated}人评")
    expect(page.get_by_text("暂无维权案件。").first).to_be_visible()
    expect(page.get_by_text("还没有发布过手机报。")).to_be_visible()
    expect(page.get_by_text("暂无托管报名。").first).to_be_visible()
    expect(_figure(page, "care")).to_have_text("0")


def test_the_charts_fit_a_phone(official, demo, activity, screenshot):
    page = official("xinxiang-admin", phone=True)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.reload()  # now listening: nothing the Content-Security-Policy refuses, nothing missing
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 6
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert box["width"] >= 300  # scaled to the card, not shrunk to a stamp
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert errors == []
    screenshot(page, "dashboard-phone")
