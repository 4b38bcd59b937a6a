"""What the training tests of the console share: a 河北 coal class made through the domain, Excel lists."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import select

from models.base import LOCAL_TZ, today
from models.training import Topic, TrainingClass
from models.training_classes import schedule_class, set_quota
from models.training_enrolments import Trainee, enrol_list

COAL_TOPIC = "劳动保护知识（煤炭行业）"
COAL_CLASS = "煤炭行业“菜单式”劳动保护知识培训班（第二期）"
PAST_COAL = "煤炭行业“菜单式”劳动保护知识培训班（第一期）"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def topic(demo, title: str = COAL_TOPIC) -> Topic:
    return demo.session.scalars(select(Topic).where(Topic.title == title)).one()


def training_class(demo, title: str = COAL_CLASS) -> TrainingClass:
    return demo.session.scalars(select(TrainingClass).where(TrainingClass.title == title)).one()


def coal_class(demo, *, quotas: dict[str, int], title: str = "开滦专题班") -> TrainingClass:
    """A 河北 coal class three weeks ahead with quotas, scheduled by the province union through the domain."""
    hebei = demo.actor("hebei-admin")
    starts = today() + timedelta(days=21)
    training = schedule_class(
        demo.session,
        hebei,
        topic_id=topic(demo).id,
        title=title,
        starts_on=starts,
        ends_on=starts + timedelta(days=2),
        place="秦皇岛市北戴河区 河北省总工会职工培训基地",
        capacity=120,
        registration_closes=datetime.combine(starts - timedelta(days=7), time(18), LOCAL_TZ),
    )
    for name, seats in quotas.items():
        set_quota(demo.session, hebei, training.id, enterprise_id=demo.enterprise(name).id, seats=seats)
    demo.session.commit()
    return training


def send_list(demo, training: TrainingClass, enterprise: str, people: list[tuple[str, str]]) -> None:
    """Sign up an enterprise's people as its union would."""
    official = {"开滦集团": "kailuan", "冀中能源集团": "jizhong"}[enterprise]
    trainees = [Trainee(name, phone, "群监员") for name, phone in people]
    enrol_list(
        demo.session,
        demo.actor(official),
        training.id,
        enterprise_id=demo.enterprise(enterprise).id,
        trainees=trainees,
    )


def workbook(*rows) -> bytes:
    """An Excel list as an enterprise union makes one: a title line, the headers, one person a row."""
    book = Workbook()
    for row in (["开滦集团参训名单"], ["姓名", "手机号", "岗位"], *rows):
        book.active.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(page, data: bytes, name: str = "名单.xlsx") -> None:
    """Choose the file in the list form and send it."""
    page.get_by_label("名单文件").set_input_files({"name": name, "mimeType": XLSX, "buffer": data})
    page.get_by_role("button", name="提交名单").click()
