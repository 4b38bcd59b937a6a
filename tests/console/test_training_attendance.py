"""A class in a browser once it runs: the check-in code a worker types, renewing it, marking attendance,
certificates exported as Excel, and the ratings with their comments."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from models.base import today
from models.errors import Invalid
from models.training import Enrolment, TrainingClass
from models.training_enrolments import check_in

from .training_setup import PAST_COAL, coal_class, send_list, training_class


def _running_class(demo) -> TrainingClass:
    """开滦's people on a coal class that began yesterday."""
    training = coal_class(demo, quotas={"开滦集团": 5})
    send_list(demo, training, "开滦集团", [("王建军", "13931580100"), ("李志强", "13931580101")])
    training.starts_on, training.ends_on = today() - timedelta(days=1), today() + timedelta(days=1)
    demo.session.commit()
    return training


def _enrolment(demo, training: TrainingClass, name: str) -> Enrolment:
    demo.session.expire_all()
    return next(
        e
        for e in demo.session.scalars(select(Enrolment).where(Enrolment.class_id == training.id))
        if e.worker.name == name
    )


def test_the_code_on_the_page_checks_a_worker_in_and_renewing_it_changes_it(official, demo):
    training = _running_class(demo)
    page = official("hebei-admin")
    page.goto(f"/console/training/classes/{training.id}")
    page.get_by_role("link", name="签到", exact=True).click()
    shown = page.get_by_label("签到码").inner_text()
    assert len(shown) == 6 and shown.isdigit()
    wang = _enrolment(demo, training, "王建军")
    enrolment, first = check_in(demo.session, worker=wang.worker, class_id=training.id, code=shown)
    assert first and enrolment.checked_in_at is not None
    page.get_by_role("link", name="投影显示").click()
    expect(page.get_by_label("签到码")).to_have_text(shown)
    page.get_by_role("link", name="返回签到情况").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="更换签到码").click()
    expect(page.get_by_role("status")).to_contain_text("签到码已更换为")
    renewed = page.get_by_label("签到码").inner_text()
    demo.session.expire_all()
    assert renewed == demo.session.get(TrainingClass, training.id).checkin_code
    li = _enrolment(demo, training, "李志强")
    if renewed != shown:  # one chance in a million that the new code is the old one
        with pytest.raises(Invalid, match="签到码不正确"):
            check_in(demo.session, worker=li.worker, class_id=training.id, code=shown)
    demo.session.rollback()
    expect(page.get_by_role("heading", name="签到情况")).to_contain_text("1 / 2 人已签到")
    # 李志强 has no phone with him: the organiser marks him present.
    page.get_by_role("row").filter(has_text="李志强").get_by_role("button", name="代签到").click()
    expect(page.get_by_role("status")).to_have_text("已为李志强签到。")
    expect(page.get_by_role("heading", name="签到情况")).to_contain_text("2 / 2 人已签到")
    assert _enrolment(demo, training, "李志强").checked_in_at is not None
    demo.session.rollback()


def test_the_past_class_has_certificates_to_export_and_ratings_with_comments(official, demo):
    past = training_class(demo, PAST_COAL)
    page = official("hebei-admin")
    page.goto(f"/console/training/classes/{past.id}")
    page.get_by_role("link", name="结业证书").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(16)  # 11 of 开滦's 12 came, 5 of 冀中能源's 6
    expect(rows.first).to_contain_text(f"PX2026{past.id:04d}0001")
    page.get_by_role("button", name="发放结业证书").click()
    expect(page.get_by_role("status")).to_have_text("已发放0张结业证书，共16张。")  # all had theirs
    with page.expect_download() as download:
        page.get_by_role("link", name="导出证书名单").click()
    sheet = load_workbook(BytesIO(download.value.path().read_bytes())).active
    assert [c.value for c in sheet[2]] == ["证书编号", "姓名", "单位", "岗位", "课时"]
    assert sheet.max_row == 2 + 16 and sheet["A3"].value == f"PX2026{past.id:04d}0001" and sheet["E3"].value == 6
    page.get_by_role("link", name="职工评价").click()
    expect(page.locator(".figure").first).to_contain_text("4.67")
    expect(page.locator(".figure").nth(1)).to_contain_text("12 / 16")
    expect(page.get_by_role("row").filter(has_text="5分")).to_contain_text("8")
    expect(page.locator("ul.comments")).to_contain_text("专家结合事故案例讲，很解渴。")
