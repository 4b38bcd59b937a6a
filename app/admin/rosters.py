"""A session's roster as rows and as an Excel workbook (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from models.childcare import STATUS_LABELS, CareSession, Registration
from models.registrations import age_on, waitlist_position

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    ("status", "状态"),
    ("waitlist", "候补顺位"),
    ("child", "孩子姓名"),
    ("gender", "性别"),
    ("age", "开班年龄"),
    ("guardian", "监护人"),
    ("guardian_phone", "监护人电话"),
    ("emergency_contact", "紧急联系人"),
    ("health_notes", "健康情况"),
]


def roster_rows(session, registrations: list[Registration]) -> list[dict]:
    """Return one row per child, in roster order."""
    return [
        {
            "registration_id": r.id,
            "status": STATUS_LABELS[r.status],
            "waitlist": waitlist_position(session, r),
            "child": r.child.name,
            "gender": r.child.gender,
            "age": age_on(r.child.born, r.session.starts_on),
            "guardian": r.child.guardian.name,
            "guardian_phone": r.guardian_phone,
            "emergency_contact": r.emergency_contact,
            "health_notes": r.child.health_notes or "",
        }
        for r in registrations
    ]


def roster_workbook(care: CareSession, rows: list[dict]) -> bytes:
    """Return the roster as an .xlsx file."""
    book = Workbook()
    sheet = book.active
    sheet.title = care.name[:31]
    sheet.append([f"{care.program.title} {care.name}（{care.starts_on:%m月%d日}—{care.ends_on:%m月%d日}）"])
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[key] if row[key] is not None else "" for key, _ in COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def roster_download(care: CareSession, rows: list[dict]) -> Response:
    """Answer the roster workbook as a download (the admin API's and the console's)."""
    return Response(
        roster_workbook(care, rows),
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename=roster-{care.id}.xlsx"},
    )
