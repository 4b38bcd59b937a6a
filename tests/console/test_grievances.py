"""The grievance queue and case page in a browser: the closed loop with its 三书, mediation, a reply that reaches
the worker, scope, refusals in Chinese.

The demo's cases (models/demo_grievances.py): 张伟's forced resignation at 恒达机械 (亢村镇, being handled), 孙强's
joined to it (received, with a payslip picture he sent later), 李娜's at 鑫源纺织 (城关镇, closed), 杨磊's at 宏远建材
(照镜镇, received)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from app.notify import dispatch_pending
from models.base import LOCAL_TZ, as_utc, today, utcnow
from models.grievance_cases import accept, record_mediation, start_handling
from models.grievances import GrievanceCase
from models.notifications import Notification


def _case(demo, name: str) -> GrievanceCase:
    return demo.session.scalars(select(GrievanceCase).where(GrievanceCase.worker_id == demo.worker(name).id)).one()


def _told(demo, case: GrievanceCase) -> list[str]:
    """The kinds of notification the worker got about a case, oldest first."""
    demo.session.expire_all()
    query = select(Notification.kind).where(
        Notification.worker_id == case.worker_id, Notification.dedup_key.like(f"grievance-%:{case.id}:%")
    )
    return list(demo.session.scalars(query.order_by(Notification.id)))


def _open(page: Page, step: str) -> None:
    """Open a step's form on the case page (each is folded under its name)."""
    page.locator("details.action > summary", has_text=re.compile(f"^{step}$")).click()


def _download(page: Page, link: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    return download.value.path().read_bytes()


def test_the_queue_lists_the_scope_by_deadline_with_the_overdue_first(official, demo, screenshot):
    zhang_wei, sun_qiang, li_na = _case(demo, "张伟"), _case(demo, "孙强"), _case(demo, "李娜")
    assert sun_qiang.deadline_at < utcnow() < zhang_wei.deadline_at  # the demo's 孙强 waits past his 2 days
    page = official("kangcun")
    page.get_by_role("link", name="维权案件").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)  # 城关镇's closed case is not 亢村镇's
    expect(rows.first).to_contain_text(sun_qiang.number)
    expect(rows.first).to_have_class("overdue")
    expect(rows.first.locator("td[data-label=办理期限]")).to_contain_text("已逾期")
    for text in ("孙强", "获嘉县恒达机械有限公司", "被迫辞职或辞退没有补偿", "已收到", "获嘉县亢村镇工会"):
        expect(rows.first).to_contain_text(text)
    expect(rows.nth(1)).to_contain_text(zhang_wei.number)
    expect(rows.nth(1)).not_to_have_class("overdue")
    expect(rows.nth(1)).not_to_contain_text("已逾期")
    screenshot(page, "grievance-queue")
    page.get_by_label("搜索案件编号或用人单位").fill(sun_qiang.number.lower())
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("孙强")
    page.goto("/console/grievances?status=all&category=unpaid_wages")
    expect(page.get_by_text("没有符合条件的案件。")).to_be_visible()
    huojia = official("huojia")
    huojia.goto("/console/grievances?status=closed")
    expect(huojia.locator("table.queue tbody tr")).to_have_count(1)
    expect(huojia.locator("table.queue tbody tr").first).to_contain_text(li_na.number)
    huojia.get_by_label("搜索案件编号或用人单位").fill("鑫源")
    huojia.get_by_role("button", name="筛选").click()
    expect(huojia).to_have_url(re.compile(r"status=closed"))
    expect(huojia.locator("table.queue tbody tr")).to_have_count(1)


def test_kangcun_accepts_assigns_and_mediates_and_the_worker_hears_of_each(official, demo, screenshot):
    case = _case(demo, "孙强")
    page = official("kangcun")
    page.goto(f"/console/grievances/{case.id}")
    expect(page.locator(".conversation")).to_contain_text("工资条拍给你们看")  # what he sent afterwards
    expect(page.get_by_text("demo-media-sunqiang-payslip")).to_be_visible()
    page.get_by_label("法律顾问").fill("县总工会法律顾问团")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已受理，告知书 亢工维告〔")
    demo.session.expire_all()
    [notice] = case.documents
    word = Document(io.BytesIO(_download(page, f"下载告知书{notice.number} Word")))
    text = "".join(p.text for p in word.paragraphs)
    assert case.number in text and notice.number in text and "孙强" in text
    # A lawyer by name, then a mediation: the case is in hand.
    _open(page, "指派经办人或法律顾问")
    page.get_by_label("法律顾问").fill("县总工会法律顾问团 李律师")
    page.get_by_role("button", name="保存指派").click()
    expect(page.get_by_role("status")).to_have_text("已指派：法律顾问：县总工会法律顾问团 李律师。")
    _open(page, "记录调解")
    page.get_by_label("参加人员").fill("孙强、企业人事负责人、亢村镇工会、李律师")
    page.get_by_label("调解结果").fill("企业同意不以自愿辞职处理，按工龄支付经济补偿")
    page.get_by_role("button", name="记录调解").click()
    expect(page.get_by_role("status")).to_have_text("已记录调解情况，已通知职工。")
    expect(page.locator(".badge").first).to_have_text("办理中")
    timeline = page.locator("table.timeline")
    expect(timeline).to_contain_text("已受理 → 办理中")
    expect(timeline).to_contain_text("达成协议：企业同意不以自愿辞职处理")
    screenshot(page, "grievance-case")
    demo.session.expire_all()
    assert (case.status, case.legal_adviser, case.handler.username) == (
        "handling",
        "县总工会法律顾问团 李律师",
        "kangcun",
    )
    assert _told(demo, case) == ["grievance_accepted", "grievance_assigned", "grievance_mediation"]


def test_an_opinion_a_resolution_with_money_and_the_close(official, demo):
    case = _case(demo, "孙强")
    kangcun = demo.actor("kangcun")
    accept(demo.session, kangcun, case.id)
    start_handling(demo.session, kangcun, case.id, note="约谈企业负责人")
    demo.session.commit()
    page = official("kangcun")
    page.goto(f"/console/grievances/{case.id}")
    _open(page, "发出意见书")
    expect(page.get_by_label("法律依据（每行一条）")).to_contain_text("劳动合同法")  # the category's, to edit
    page.get_by_label("工会要求（每行一条）").fill("撤销“自愿辞职”安排\n依法支付经济补偿")
    page.get_by_label("答复期限").fill((today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="发出意见书").click()
    expect(page.get_by_role("status")).to_contain_text("已发出意见书 亢工维意〔")
    demo.session.expire_all()
    opinion = case.documents[-1]
    pdf = PdfReader(io.BytesIO(_download(page, f"下载意见书{opinion.number} PDF")))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
    assert opinion.number in text and "获嘉县恒达机械有限公司" in text and "依法支付经济补偿" in text
    assert opinion.deadline is not None and as_utc(opinion.deadline).astimezone(LOCAL_TZ).date() == today() + timedelta(
        days=10
    )
    _open(page, "记录企业答复")
    page.get_by_label("企业答复内容").fill("企业书面答复：同意支付补偿")
    page.get_by_role("button", name="记录答复").click()
    expect(page.get_by_role("status")).to_have_text("已记录企业答复。")
    _open(page, "办结")
    page.get_by_label("处理结果").fill("企业按工龄向孙强支付经济补偿")
    page.get_by_label("追回金额（元）").fill("12000")
    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("已办结，已请职工评价。")
    page.get_by_label("结案说明").fill("职工确认补偿已到账")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结案").click()
    expect(page.get_by_role("status")).to_have_text("已结案，已通知职工。")
    expect(page.get_by_text("案件已结案，没有可办理的事项。")).to_be_visible()
    demo.session.expire_all()
    assert (case.status, case.amount_recovered, case.workers_covered) == ("closed", Decimal("12000.00"), 1)
    assert _told(demo, case)[-3:] == ["grievance_opinion", "grievance_resolved", "grievance_closed"]


def test_a_reply_reaches_the_worker_and_the_page_shows_how(official, demo, simulator, app):
    case = _case(demo, "孙强")
    page = official("kangcun")
    page.goto(f"/console/grievances/{case.id}")
    page.get_by_label("回复职工").fill("孙强您好，工会已联系企业，请保留工资条原件。")
    page.get_by_role("button", name="发送回复").click()
    expect(page.get_by_role("status")).to_have_text("回复已保存，正在发送给职工。")
    mine = page.locator(".conversation li.official")
    expect(mine).to_contain_text("请保留工资条原件")
    expect(mine).to_contain_text("等待发送")
    assert _told(demo, case) == ["grievance_message"]
    # He wrote to the account today, so the dispatcher may answer by customer service.
    case.worker.last_message_at = utcnow()
    demo.session.commit()
    simulator.state.record_interaction("oDemo-sunqiang")
    dispatch_pending(app)
    [sent] = simulator.state.sent_messages(openid="oDemo-sunqiang", kind="custom")
    assert "孙强您好，工会已联系企业，请保留工资条原件。" in sent["payload"]["text"]["content"]
    assert case.number in sent["payload"]["text"]["content"]
    page.reload()
    expect(mine).to_contain_text("已送达（客服消息）")


def test_an_official_of_another_union_sees_nothing_of_the_case(official, demo):
    case = _case(demo, "孙强")
    accept(demo.session, demo.actor("kangcun"), case.id)
    demo.session.commit()
    page = official("chengguan")
    page.goto("/console/grievances?status=all")
    expect(page.locator("table.queue tbody tr")).to_have_count(1)  # 李娜's, 城关镇's own
    expect(page.get_by_text(case.number)).to_have_count(0)
    response = page.goto(f"/console/grievances/{case.id}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")
    expect(page.get_by_text("孙强")).to_have_count(0)
    assert page.goto(f"/console/grievances/documents/{case.documents[0].id}.docx").status == 404


def test_a_step_the_case_no_longer_allows_is_refused_in_chinese(official, demo):
    case = _case(demo, "孙强")
    accept(demo.session, demo.actor("kangcun"), case.id)
    demo.session.commit()
    page = official("kangcun")
    page.goto(f"/console/grievances/{case.id}")
    _open(page, "开始办理")
    page.get_by_label("办理方式").fill("到企业调查")
    # Meanwhile the county mediates it: the page's form is stale.
    record_mediation(
        demo.session,
        demo.actor("huojia"),
        case.id,
        held_on=today(),
        participants="县总工会、企业",
        agreement="继续协商",
    )
    demo.session.commit()
    page.get_by_role("button", name="开始办理").click()
    expect(page.get_by_role("alert")).to_have_text("案件当前为“办理中”，不能办理")
    expect(page.locator("details.action > summary", has_text="开始办理")).to_have_count(0)
    _open(page, "办结")
    page.get_by_label("追回金额（元）").fill("一万")
    page.get_by_label("处理结果").fill("补发")
    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("追回金额填写有误")
    demo.session.expire_all()
    assert case.status == "handling"


def test_a_viewer_reads_but_cannot_act(official, demo):
    case = _case(demo, "孙强")
    page = official("xinxiang-viewer")
    page.goto(f"/console/grievances/{case.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"维权案件 {case.number}")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    page.get_by_label("回复职工").fill("试试")
    page.get_by_role("button", name="发送回复").click()
    expect(page.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    demo.session.expire_all()
    assert case.status == "received" and _told(demo, case) == []


def test_a_walk_in_is_recorded_from_the_queue_and_routed(official, demo):
    page = official("huojia")
    page.goto("/console/grievances")

    def fill(phone: str) -> None:
        page.get_by_text("登记来访或来电").click()
        visit = page.locator("#visit form")
        visit.get_by_label("职工姓名").fill("王建设")
        visit.get_by_label("手机号码").fill(phone)
        visit.get_by_label("来源").select_option(label="来电")
        visit.get_by_label("问题类别").select_option(label="拖欠工资")
        visit.get_by_label("用人单位").fill("获嘉县某建筑工地")
        visit.get_by_label("乡镇").fill("亢村镇")
        visit.get_by_label("涉及人数").fill("12")
        visit.get_by_label("涉及金额（元）").fill("96000.50")
        visit.get_by_label("反映的问题").fill("工地包工头拖欠12名农民工三个月工资。")
        visit.get_by_role("button", name="登记并分派").click()

    fill("1393731")
    expect(page.get_by_role("alert")).to_have_text("请输入正确的11位手机号码")
    fill("13937315555")
    expect(page.get_by_role("status")).to_contain_text("由获嘉县亢村镇工会受理（属地：亢村镇）")
    case = demo.session.scalars(select(GrievanceCase).where(GrievanceCase.employer_name == "获嘉县某建筑工地")).one()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"维权案件 {case.number}")
    assert (case.channel, case.workers_count, case.amount_owed, case.worker.name) == (
        "phone",
        12,
        Decimal("96000.50"),
        "王建设",
    )


def test_the_queue_and_a_case_work_on_a_phone(official, demo, screenshot):
    case = _case(demo, "孙强")
    page = official("kangcun", phone=True)
    page.goto("/console/grievances")
    row = page.locator("table.queue tbody tr").filter(has_text=case.number)
    expect(row.locator("td[data-label=用人单位]")).to_be_visible()
    row.get_by_role("link", name=case.number).click()
    page.get_by_label("回复职工").fill("收到，工会这周联系企业。")
    page.get_by_role("button", name="发送回复").click()
    expect(page.locator(".conversation li.official")).to_contain_text("收到，工会这周联系企业。")
    screenshot(page, "grievance-case-phone")


def test_without_a_chinese_font_the_pdf_says_to_take_the_word_version(official, demo, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCUMENT_FONT", str(tmp_path / "missing.ttf"))
    [notice] = _case(demo, "张伟").documents
    page = official("kangcun")
    response = page.goto(f"/console/grievances/documents/{notice.id}.pdf")
    assert response.status == 503
    expect(page.get_by_text("服务器未安装中文字体，暂时无法生成PDF，请下载Word版")).to_be_visible()
    word = page.request.get(f"/console/grievances/documents/{notice.id}.docx")
    assert word.ok and notice.number in "".join(p.text for p in Document(io.BytesIO(word.body())).paragraphs)
