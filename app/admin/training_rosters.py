"""Training lists as rows and Excel workbooks (openpyxl): a class's enrolments, its certificates, uploaded lists
(shared by the admin API and the console)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from models.access import Actor
from models.base import LOCAL_TZ, as_utc
from models.errors import DomainError, Invalid
from models.training import STATUS_LABELS, WAITLISTED, Enrolment, TrainingClass
from models.training_enrolments import MAX_LIST, ListResult, Trainee, enrol_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ENROLMENT_COLUMNS = [
    ("status", "状态"),
    ("waitlist", "候补顺位"),
    ("name", "姓名"),
    ("phone", "手机号"),
    ("enterprise", "单位"),
    ("role", "岗位"),
    ("checked_in_at", "签到时间"),
    ("certificate_no", "证书编号"),
]
CERTIFICATE_COLUMNS = [
    ("certificate_no", "证书编号"),
    ("name", "姓名"),
    ("enterprise", "单位"),
    ("role", "岗位"),
    ("hours", "课时"),
]
# The headers an uploaded list is read by, with the spellings people use.
UPLOAD_HEADERS = {
    "name": ("姓名",),
    "phone": ("手机号", "手机号码", "手机", "联系电话"),
    "role": ("岗位", "职务"),
}


def _local(moment) -> str:
    return "" if moment is None else f"{as_utc(moment).astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


def enrolment_rows(enrolments: list[Enrolment]) -> list[dict]:
    """Return one row per enrolment with the full phone (an audited view), in list order."""
    rows, waiting = [], 0
    for e in enrolments:
        # The list holds every live enrolment, confirmed first and the waitlist in its order, so counting is enough.
        waiting += e.status == WAITLISTED
        rows.append(
            {
                "enrolment_id": e.id,
                "worker_id": e.worker_id,
                "status": e.status,
                "status_label": STATUS_LABELS[e.status],
                "waitlist": waiting if e.status == WAITLISTED else None,
                "name": e.worker.name,
                "phone": e.worker.phone,
                "enterprise": e.enterprise.name if e.enterprise else None,
                "role": e.role,
                "checked_in_at": _at(e.checked_in_at),
                "rated": e.rating is not None,
                "certificate_no": e.certificate_no,
            }
        )
    return rows


def certificate_rows(enrolments: list[Enrolment]) -> list[dict]:
    """Return one row per certificate, in certificate order."""
    return [
        {
            "enrolment_id": e.id,
            "certificate_no": e.certificate_no,
            "name": e.worker.name,
            "enterprise": e.enterprise.name if e.enterprise else None,
            "role": e.role,
            "hours": e.training_class.hours,
            "checked_in_at": _at(e.checked_in_at),
        }
        for e in enrolments
    ]


def _at(moment) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def _workbook(training: TrainingClass, heading: str, columns: list[tuple[str, str]], rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = heading
    span = f"{training.starts_on:%Y年%m月%d日}—{training.ends_on:%m月%d日}"
    sheet.append([f"{training.title}（{span}，{training.hours}课时，{training.place}）{heading}"])
    sheet.append([label for _, label in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        values = {**row, "status": row.get("status_label"), "checked_in_at": _local_iso(row.get("checked_in_at"))}
        sheet.append([values[key] if values[key] is not None else "" for key, _ in columns])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _local_iso(value: str | None) -> str:
    return "" if value is None else _local(datetime.fromisoformat(value))


def enrolment_workbook(training: TrainingClass, rows: list[dict]) -> bytes:
    """Return a class's enrolment list as an .xlsx file."""
    return _workbook(training, "报名名单", ENROLMENT_COLUMNS, rows)


def certificate_workbook(training: TrainingClass, rows: list[dict]) -> bytes:
    """Return a class's certificates of attendance as an .xlsx file."""
    return _workbook(training, "结业证书名单", CERTIFICATE_COLUMNS, rows)


def _text(value) -> str:
    """Return a cell as text; phone numbers typed into Excel come back as numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_trainees(data: bytes) -> tuple[list[Trainee], list[int]]:
    """Read a list (columns 姓名, 手机号, 岗位) from an .xlsx file; return the people and their sheet rows."""
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises whatever the zip or XML parser raised on a broken file
        raise Invalid("无法读取该文件，请上传 Excel（.xlsx）格式的名单", field="file") from error
    try:
        return _read_sheet(book.active.iter_rows(values_only=True))
    finally:
        book.close()


def _read_sheet(rows) -> tuple[list[Trainee], list[int]]:
    columns: dict[str, int] = {}
    trainees, numbers = [], []
    for number, values in enumerate(rows, start=1):
        cells = [_text(v) for v in values]
        if not columns:
            found = {
                key: next((i for i, c in enumerate(cells) if c in names), None) for key, names in UPLOAD_HEADERS.items()
            }
            if found["name"] is not None and found["phone"] is not None:
                columns = {key: i for key, i in found.items() if i is not None}
            elif number >= 5:
                break
            continue
        picked = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
        if not any(picked.values()):
            continue  # a blank line
        if len(trainees) == MAX_LIST:
            raise Invalid(f"名单最多{MAX_LIST}人，请分批上传", field="file", row=number)
        if not picked["name"] or not picked["phone"]:
            raise Invalid(f"第{number}行：请填写姓名和手机号", field="file", row=number)
        trainees.append(Trainee(picked["name"], picked["phone"], picked.get("role") or None))
        numbers.append(number)
    if not columns:
        raise Invalid("未找到表头：名单的前5行中应有“姓名”“手机号”两列（“岗位”可选）", field="file")
    if not trainees:
        raise Invalid("名单中没有学员", field="file")
    return trainees, numbers


def at_sheet_row(error: DomainError, numbers: list[int]) -> DomainError:
    """Return a domain error about the n-th person of a list as one about their row in the sheet."""
    row = error.detail.get("row")
    if not isinstance(row, int) or not 1 <= row <= len(numbers):
        return error
    sheet_row = numbers[row - 1]
    message = error.message.replace(f"第{row}行", f"第{sheet_row}行", 1)
    return type(error)(message, **{**error.detail, "field": "file", "row": sheet_row})


def enrol_workbook(session: Session, actor: Actor, class_id: int, *, enterprise_id: int, data: bytes) -> ListResult:
    """Sign up the list in an uploaded .xlsx file within the enterprise's quota; errors name the sheet's row."""
    trainees, rows = read_trainees(data)
    try:
        return enrol_list(session, actor, class_id, enterprise_id=enterprise_id, trainees=trainees)
    except DomainError as error:
        raise at_sheet_row(error, rows) from error
