"""Officials' childcare API: programs, sessions, rosters only for the organising union, Excel, counts."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from models.audit import AuditEntry
from models.childcare import Program
from models.registrations import ChildInfo, register_child

HOSPITAL = "新医一附院2027年寒假职工子女托管班"

NEW_PROGRAM = {
    "title": "获嘉县总工会2027年暑期托管班",
    "season": "summer",
    "year": 2027,
    "kind": "day",
    "min_age": 6,
    "max_age": 12,
    "place": "获嘉县职工服务中心",
    "daily_hours": "8:00-17:30",
    "courses": ["作业辅导", "乒乓球"],
    "registration_opens": "2027-05-01T00:00:00+08:00",
    "registration_closes": "2027-06-30T23:59:00+08:00",
    "sessions": [{"name": "第一期", "starts_on": "2027-07-12", "ends_on": "2027-07-30", "capacity": 50}],
}


def _hospital_session(demo):
    return demo.session.scalars(select(Program).where(Program.title == HOSPITAL)).one().sessions[0]


def _register_wang_fang_child(demo):
    care = _hospital_session(demo)
    register_child(
        demo.session,
        guardian=demo.worker("王芳"),
        session_id=care.id,
        child=ChildInfo("李小雨", date(2016, 9, 3), "女", "花生过敏"),
        guardian_phone="13837310003",
        emergency_contact="外婆 13937310033",
        consent=True,
    )
    return care


def test_create_a_program_with_sessions_in_scope(client, demo, login):
    body = {**NEW_PROGRAM, "union_id": demo.union("获嘉县总工会").id}
    made = client.post("/api/admin/childcare/programs", headers=login("huojia"), json=body)
    assert made.status_code == 201 and made.json["sessions"][0]["places_left"] == 50
    elsewhere = {**body, "union_id": demo.union("凤泉区总工会").id}
    assert client.post("/api/admin/childcare/programs", headers=login("huojia"), json=elsewhere).status_code == 404
    naive = {**body, "registration_opens": "2027-05-01T00:00:00"}
    assert client.post("/api/admin/childcare/programs", headers=login("huojia"), json=naive).status_code == 400
    backwards = {**body, "min_age": 12, "max_age": 6}
    response = client.post("/api/admin/childcare/programs", headers=login("huojia"), json=backwards)
    assert response.status_code == 400 and response.json["error"]["field"] == "min_age"


def test_roster_is_for_the_organising_union_only_and_audited(client, demo, login):
    care = _register_wang_fang_child(demo)
    own = client.get(f"/api/admin/childcare/sessions/{care.id}/roster", headers=login("xinyi-fy"))
    [row] = [r for r in own.json["children"] if r["child"] == "李小雨"]  # the demo may have registered others
    assert (row["child"], row["age"], row["guardian_phone"], row["health_notes"]) == (
        "李小雨",
        10,
        "13837310003",
        "花生过敏",
    )
    assert client.get(f"/api/admin/childcare/sessions/{care.id}/roster", headers=login("huojia")).status_code == 404
    entries = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "childcare_roster")).all()
    assert [(e.actor, e.action) for e in entries] == [("xinyi-fy", "view")]


def test_roster_exports_to_excel(client, demo, login):
    care = _register_wang_fang_child(demo)
    response = client.get(f"/api/admin/childcare/sessions/{care.id}/roster.xlsx", headers=login("xinyi-fy"))
    sheet = load_workbook(BytesIO(response.data)).active
    assert [cell.value for cell in sheet[2]][:3] == ["状态", "候补顺位", "孩子姓名"]
    [row] = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[2] == "李小雨"]
    assert (row[0], row[6], row[8]) == ("已报名", "13837310003", "花生过敏")
    actions = demo.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "childcare_roster")).all()
    assert actions == ["export"]


def test_counts_per_kind_and_session(client, demo, login):
    def hospital(counts: list[dict]) -> tuple:
        row = next((c for c in counts if c["program"] == HOSPITAL), {"confirmed": 0, "waitlisted": 0})
        return row.get("kind"), row.get("session"), row["confirmed"], row["waitlisted"]

    before = hospital(client.get("/api/admin/childcare/counts", headers=login("xinxiang-admin")).json["counts"])
    _register_wang_fang_child(demo)
    counts = client.get("/api/admin/childcare/counts", headers=login("xinxiang-admin")).json["counts"]
    assert hospital(counts) == ("日托", "寒假班", before[2] + 1, before[3])
    huojia = client.get("/api/admin/childcare/counts", headers=login("huojia")).json["counts"]
    assert huojia == []  # no childcare in 获嘉县
