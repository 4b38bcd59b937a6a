"""The handoff inbox in a browser: the worker's request and chat, a reply that reaches WeChat, scope."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from models.tickets import Ticket


def _ticket(demo, name: str, kind: str) -> Ticket:
    return demo.session.scalars(
        select(Ticket).where(Ticket.worker_id == demo.worker(name).id, Ticket.kind == kind)
    ).one()


def test_an_official_answers_a_handoff_and_the_worker_gets_it_in_wechat(official, demo, simulator, screenshot):
    ticket = _ticket(demo, "李娜", "handoff")
    simulator.state.record_interaction("oDemo-lina")  # she wrote within 48 hours: customer service may answer
    page = official("huojia")
    page.get_by_role("link", name="人工服务").click()
    page.get_by_role("link", name="待处理").click()
    row = page.get_by_role("row").filter(has_text=ticket.number)
    expect(row).to_contain_text("转人工")
    expect(row).to_contain_text("李娜")
    screenshot(page, "tickets")
    row.get_by_role("link", name=ticket.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"转人工 {ticket.number}")
    expect(page.locator(".conversation").first).to_contain_text("周六加班不给加班费合法吗")  # what she asked the bot
    page.get_by_label("回复职工").fill("李娜您好，工会明天联系厂里，请保留排班表。")
    page.get_by_role("button", name="发送答复").click()
    expect(page.get_by_role("status")).to_have_text("答复已发送到职工的微信。")
    expect(page.locator(".conversation li.official")).to_contain_text("已送达")
    screenshot(page, "ticket")
    [sent] = simulator.state.sent_messages(openid="oDemo-lina", kind="custom")
    assert sent["payload"]["text"]["content"] == "李娜您好，工会明天联系厂里，请保留排班表。"
    page.get_by_role("link", name="← 人工服务").click()
    page.get_by_role("link", name="已答复").click()
    expect(page.get_by_role("row").filter(has_text=ticket.number)).to_be_visible()


def test_an_answer_outside_the_48_hour_window_is_kept_and_the_official_told(official, demo, simulator):
    ticket = _ticket(demo, "李娜", "handoff")
    page = official("huojia")
    page.goto(f"/console/tickets/{ticket.id}")
    page.get_by_label("回复职工").fill("请来电")
    page.get_by_role("button", name="发送答复").click()
    expect(page.get_by_role("alert")).to_contain_text("48小时")
    expect(page.locator(".conversation li.official")).to_contain_text("未送达")
    assert simulator.state.sent_messages(openid="oDemo-lina", kind="custom") == []


def test_a_membership_application_is_approved(official, demo):
    ticket = _ticket(demo, "杨磊", "membership")
    page = official("huojia")
    page.goto(f"/console/tickets/{ticket.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="批准入会").click()
    expect(page.get_by_role("status")).to_contain_text("已批准杨磊入会")
    demo.session.expire_all()
    assert demo.worker("杨磊").union_id is not None


def test_an_official_of_another_union_cannot_see_the_ticket(official, demo):
    ticket = _ticket(demo, "李娜", "handoff")
    page = official("kangcun")  # 李娜 works in 城关镇
    page.goto("/console/tickets")
    expect(page.get_by_role("row").filter(has_text=ticket.number)).to_have_count(0)
    response = page.goto(f"/console/tickets/{ticket.id}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")


def test_a_viewer_cannot_answer(official, demo):
    ticket = _ticket(demo, "李娜", "handoff")
    page = official("xinxiang-viewer")
    page.goto(f"/console/tickets/{ticket.id}")
    page.get_by_label("回复职工").fill("试试")
    page.get_by_role("button", name="发送答复").click()
    expect(page.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    expect(page).to_have_url(re.compile(rf"/console/tickets/{ticket.id}$"))
