"""Childcare in a browser: programs and sessions, the roster with its waitlist, the Excel, cancelling, scope."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from models import programs
from models.audit import AuditEntry
from models.base import utcnow
from models.childcare import CANCELLED, CONFIRMED, WAITLISTED, CareSession, Program, Registration
from models.notifications import Notification
from models.registrations import ChildInfo, register_child
from models.workers import create_worker

HOSPITAL = "新医一附院2027年寒假职工子女托管班"
# Hospital staff who sign their children up once the session has one place left: one place, then two waiting.
FAMILIES = [
    ("孙丽", "孙可欣", date(2017, 3, 12), "女", "13937310101"),
    ("马超", "马浩然", date(2015, 6, 30), "男", "13937310102"),
    ("何静", "何雨桐", date(2018, 11, 2), "女", "13937310103"),
]


def _hospital(demo) -> CareSession:
    return demo.session.scalars(select(Program).where(Program.title == HOSPITAL)).one().sessions[0]


def _one_place_left_then_a_waitlist(demo) -> CareSession:
    """Open the hospital's registration, leave one place, and register the three families' children."""
    care = _hospital(demo)
    care.program.registration_opens = utcnow() - timedelta(days=1)
    care.program.registration_closes = utcnow() + timedelta(days=30)
    care.capacity = care.taken + 1
    demo.session.commit()
    hospital = demo.enterprise("新乡医学院第一附属医院")
    for parent, child, born, gender, phone in FAMILIES:
        guardian = create_worker(
            demo.session,
            name=parent,
            employer_id=hospital.id,
            union_id=hospital.union_id,
            member_since=date(2018, 9, 1),
        )
        register_child(
            demo.session,
            guardian=guardian,
            session_id=care.id,
            child=ChildInfo(child, born, gender),
            guardian_phone=phone,
            emergency_contact=f"{parent}的爱人 13837319999",
            consent=True,
        )
    return care


def _statuses(demo, care: CareSession) -> dict[str, str]:
    demo.session.expire_all()
    rows = demo.session.scalars(select(Registration).where(Registration.session_id == care.id))
    return {r.child.name: r.status for r in rows}


def test_an_official_creates_a_program_and_a_session_and_sees_it_listed(official, demo):
    page = official("huojia")
    page.get_by_role("link", name="托管服务").click()
    page.get_by_role("link", name="新建托管项目").click()
    expect(page.get_by_label("主办工会")).to_have_value(str(demo.union("获嘉县总工会").id))
    page.get_by_label("项目名称").fill("获嘉县总工会2027年暑期职工子女爱心托管班")
    page.get_by_label("年度").fill("2027")
    page.get_by_label("托管地点").fill("获嘉县职工服务中心")
    page.get_by_label("每日时间").fill("8:00-17:30")
    page.get_by_label("报名开始时间").fill("2027-05-15T08:00")
    page.get_by_label("报名截止时间").fill("2027-06-30T18:00")
    page.get_by_label("课程（每行一门）").fill("作业辅导\n课外阅读\n乒乓球")
    page.get_by_label("师资配备").fill("“2+1+N”：教师2名、机动岗1名、工作人员若干")
    page.get_by_role("button", name="创建项目").click()
    expect(page.get_by_role("status")).to_contain_text("已创建托管项目")
    page.get_by_label("期次名称").fill("第一期")
    page.get_by_label("开班日期").fill("2027-07-12")
    page.get_by_label("结班日期").fill("2027-07-30")
    page.get_by_label("名额").fill("50")
    page.get_by_role("button", name="添加期次").click()
    expect(page.get_by_role("status")).to_have_text("已添加期次：第一期，名额50个。")
    expect(page.get_by_role("row").filter(has_text="第一期")).to_contain_text("0 / 50")
    program = demo.session.scalars(select(Program).where(Program.title.startswith("获嘉县总工会2027"))).one()
    assert (program.union.name, program.kind, program.courses) == (
        "获嘉县总工会",
        "day",
        ["作业辅导", "课外阅读", "乒乓球"],
    )
    assert program.registration_opens.strftime("%m-%d %H:%M") == "05-15 00:00"  # 08:00 in China, stored in UTC
    assert [(s.name, s.starts_on, s.capacity) for s in program.sessions] == [("第一期", date(2027, 7, 12), 50)]
    page.get_by_role("link", name="← 托管服务").click()
    row = page.get_by_role("row").filter(has_text=program.title)
    expect(row).to_contain_text("获嘉县总工会")
    expect(row).to_contain_text("第一期")
    expect(row).to_contain_text("0 / 50")


def test_the_programs_list_shows_the_scope_with_places_and_counts_per_kind(official, demo, screenshot):
    _one_place_left_then_a_waitlist(demo)
    counts = programs.counts(demo.session, demo.actor("xinxiang-admin"))
    day = sum(row[CONFIRMED] for row in counts if row["kind"] == "日托")
    day_waiting = sum(row[WAITLISTED] for row in counts if row["kind"] == "日托")
    page = official("xinxiang-admin")
    page.goto("/console/childcare")
    for program in demo.session.scalars(select(Program)):
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=program.title, exact=True))
        expect(row).to_contain_text(program.union.name)
        for care in program.sessions:
            expect(row).to_contain_text(f"{care.taken} / {care.capacity}")
    expect(page.locator(".figure").filter(has_text="日托").locator("b")).to_have_text(f"{day} 人")
    expect(page.locator(".figure").filter(has_text="日托")).to_contain_text(f"候补 {day_waiting} 人")
    hospital = page.get_by_role("row").filter(has=page.get_by_role("link", name=HOSPITAL))
    waiting = sum(row[WAITLISTED] for row in counts if row["program"] == HOSPITAL)
    expect(hospital.locator("td[data-label='候补']")).to_have_text(str(waiting))
    page.get_by_role("link", name="2027年", exact=True).click()
    expect(page.get_by_role("link", name=HOSPITAL)).to_be_visible()
    screenshot(page, "childcare-programs")


def test_the_roster_shows_the_children_and_the_waitlist_in_order(official, demo, screenshot):
    care = _one_place_left_then_a_waitlist(demo)
    page = official("xinyi-fy")
    page.get_by_role("link", name="托管服务").click()
    page.get_by_role("link", name=care.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("寒假班名单")
    confirmed = page.locator("table.roster:not(.waitlist)")
    expect(confirmed).to_contain_text("孙可欣")
    expect(confirmed.get_by_role("row").filter(has_text="孙可欣")).to_contain_text("13937310101")  # audited view
    waiting = page.locator("table.waitlist tbody tr")
    expect(waiting).to_have_count(2)
    expect(waiting.nth(0)).to_contain_text("第1位")
    expect(waiting.nth(0)).to_contain_text("马浩然")
    expect(waiting.nth(0)).to_contain_text("11岁")
    expect(waiting.nth(1)).to_contain_text("第2位")
    expect(waiting.nth(1)).to_contain_text("何雨桐")
    entries = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "childcare_roster")).all()
    assert [(e.actor, e.action, e.object_id) for e in entries] == [("xinyi-fy", "view", str(care.id))]
    screenshot(page, "childcare-roster")


def test_cancelling_for_a_parent_gives_the_place_to_the_first_waiting(official, demo):
    care = _one_place_left_then_a_waitlist(demo)
    page = official("xinyi-fy")
    page.goto(f"/console/childcare/sessions/{care.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("row").filter(has_text="孙可欣").get_by_role("button", name="取消报名").click()
    expect(page.get_by_role("status")).to_have_text("已取消孙可欣的报名，已通知家长。候补的马浩然已递补为正式报名。")
    expect(page.locator("table.waitlist tbody tr")).to_have_count(1)
    expect(page.locator("table.waitlist tbody tr")).to_contain_text("第1位")
    expect(page.locator("table.waitlist tbody tr")).to_contain_text("何雨桐")
    statuses = _statuses(demo, care)
    assert (statuses["孙可欣"], statuses["马浩然"], statuses["何雨桐"]) == (CANCELLED, CONFIRMED, WAITLISTED)
    told = demo.session.scalars(select(Notification.kind).where(Notification.kind.like("childcare_%"))).all()
    assert {"childcare_cancelled", "childcare_promoted"} <= set(told)
    assert demo.session.get(CareSession, care.id).taken == care.capacity  # the place went on, not back
    cancel = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "childcare_registration")).one()
    assert (cancel.actor, cancel.action) == ("xinyi-fy", "cancel")


def test_the_excel_export_has_the_rows_of_the_roster(official, demo):
    care = _one_place_left_then_a_waitlist(demo)
    page = official("xinyi-fy")
    page.goto(f"/console/childcare/sessions/{care.id}")
    on_page = page.locator("table.roster tbody tr td[data-label='孩子']").all_inner_texts()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    sheet = load_workbook(BytesIO(download.value.path().read_bytes())).active
    assert sheet["A1"].value.startswith(HOSPITAL)
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[2] for row in rows] == on_page and len(on_page) == care.capacity + 2
    assert [(row[0], row[1], row[2], row[6]) for row in rows[-2:]] == [
        ("候补中", 1, "马浩然", "13937310102"),
        ("候补中", 2, "何雨桐", "13937310103"),
    ]
    actions = demo.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "childcare_roster")).all()
    assert actions == ["view", "export"]


def test_an_official_of_another_union_cannot_see_the_program_or_the_session(official, demo):
    care = _hospital(demo)
    page = official("huojia")
    page.goto("/console/childcare")
    expect(page.get_by_text("还没有托管项目。")).to_be_visible()
    expect(page.get_by_role("link", name=HOSPITAL)).to_have_count(0)
    for path in (
        f"/console/childcare/programs/{care.program_id}",
        f"/console/childcare/programs/{care.program_id}/edit",
        f"/console/childcare/sessions/{care.id}",
        f"/console/childcare/sessions/{care.id}/roster.xlsx",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")
    assert demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "childcare_roster")).all() == []


def test_a_bad_program_is_refused_with_the_fields_named(official, demo):
    page = official("xinyi-fy")
    page.goto("/console/childcare/new")
    page.locator("form.program-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_label("最小年龄").fill("12")
    page.get_by_label("最大年龄").fill("6")
    page.get_by_label("托管地点").fill("职工之家")
    page.get_by_role("button", name="创建项目").click()
    expect(page.get_by_role("alert")).to_contain_text("项目名称必须填写")
    expect(page.get_by_role("alert")).to_contain_text("年度必须填写")
    expect(page.get_by_role("alert")).to_contain_text("报名截止时间必须填写")
    expect(page.get_by_label("托管地点")).to_have_value("职工之家")  # what was typed is kept
    page.get_by_label("项目名称").fill("新医一附院2027年暑期职工子女托管班")
    page.get_by_label("年度").fill("2027")
    page.get_by_label("每日时间").fill("7:30-18:00")
    page.get_by_label("报名开始时间").fill("2027-05-15T08:00")
    page.get_by_label("报名截止时间").fill("2027-06-30T18:00")
    page.get_by_role("button", name="创建项目").click()
    expect(page.get_by_role("alert")).to_have_text("年龄范围应在0到16岁之间，且下限不大于上限")
    assert demo.session.scalars(select(Program).where(Program.title.startswith("新医一附院2027年暑期"))).all() == []


def test_a_bad_session_is_refused_with_the_fields_named(official, demo):
    care = _hospital(demo)
    page = official("xinyi-fy")
    page.goto(f"/console/childcare/programs/{care.program_id}")
    form = page.locator("form.add-session")
    form.evaluate("form => { form.noValidate = true; }")
    page.get_by_label("期次名称").fill("第二期")
    page.get_by_label("开班日期").fill("2027-02-09")
    page.get_by_label("结班日期").fill("2027-02-01")
    page.get_by_label("名额").fill("30")
    page.get_by_role("button", name="添加期次").click()
    expect(page.get_by_role("alert")).to_have_text("开班日期应不晚于结班日期")
    form.evaluate("form => { form.noValidate = true; }")
    page.get_by_label("开班日期").fill("2027-02-10")
    page.get_by_label("结班日期").fill("2027-02-20")
    page.get_by_label("名额").fill("0")
    page.get_by_role("button", name="添加期次").click()
    expect(page.get_by_role("alert")).to_have_text("期次名称必须填写；名额太小了")
    demo.session.expire_all()
    assert [s.name for s in _hospital(demo).program.sessions] == ["寒假班"]


def test_an_official_edits_a_program(official, demo):
    program = _hospital(demo).program
    page = official("xinyi-fy")
    page.goto(f"/console/childcare/programs/{program.id}")
    page.get_by_role("link", name="修改项目").click()
    expect(page.get_by_label("课程（每行一门）")).to_have_value("\n".join(program.courses))
    page.get_by_label("项目名称").fill("")
    page.locator("form.program-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("alert")).to_have_text("项目名称不能为空")
    page.get_by_label("项目名称").fill(HOSPITAL)
    page.get_by_label("托管地点").fill("新乡医学院第一附属医院职工之家二楼")
    page.get_by_label("餐饮").fill("")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("status")).to_have_text("已保存托管项目的修改。")
    expect(page.locator("dl.details")).to_contain_text("职工之家二楼")
    demo.session.expire_all()
    assert (program.place, program.meals) == ("新乡医学院第一附属医院职工之家二楼", "")
    entry = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "childcare_program")).one()
    assert (entry.action, entry.detail["fields"]) == ("update", ["meals", "place"])


def test_a_viewer_cannot_create_or_cancel(official, demo):
    care = _one_place_left_then_a_waitlist(demo)
    page = official("xinxiang-viewer")
    page.goto("/console/childcare/new")
    page.get_by_label("项目名称").fill("只读账号试建的项目")
    page.get_by_label("年度").fill("2027")
    page.get_by_label("托管地点").fill("新乡市职工服务中心")
    page.get_by_label("每日时间").fill("8:00-17:30")
    page.get_by_label("报名开始时间").fill("2027-05-15T08:00")
    page.get_by_label("报名截止时间").fill("2027-06-30T18:00")
    page.get_by_role("button", name="创建项目").click()
    expect(page.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    assert demo.session.scalars(select(Program).where(Program.title == "只读账号试建的项目")).all() == []
    page.goto(f"/console/childcare/sessions/{care.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("row").filter(has_text="孙可欣").get_by_role("button", name="取消报名").click()
    expect(page.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    expect(page).to_have_url(re.compile(rf"/console/childcare/sessions/{care.id}$"))
    assert _statuses(demo, care)["孙可欣"] == CONFIRMED


def test_the_roster_reads_on_a_phone(official, demo):
    care = _one_place_left_then_a_waitlist(demo)
    page = official("xinyi-fy", phone=True)
    page.goto(f"/console/childcare/sessions/{care.id}")
    cell = page.locator("table.waitlist td[data-label='孩子']").first
    expect(cell).to_have_text("马浩然")
    assert cell.bounding_box()["width"] > 300  # cells stack to the screen's width instead of scrolling sideways
