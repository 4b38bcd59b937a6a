"""Logging in and out of the console in a browser: sessions, wrong passwords, locks, CSRF, the way back."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from models.tickets import TicketMessage

from .conftest import sign_in


def test_an_official_logs_in_sees_their_union_and_logs_out(page, demo, screenshot):
    page.goto("/console/tickets")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console/tickets$"))
    screenshot(page, "login")
    page.get_by_label("用户名").fill("kangcun")
    page.get_by_label("密码").fill("gonghui2026")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console/tickets$"))  # back where they were going
    expect(page.locator("header")).to_contain_text("获嘉县亢村镇工会")
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("status")).to_have_text("您已退出登录。")
    page.goto("/console/tickets")
    expect(page).to_have_url(re.compile(r"/console/login"))


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(page, demo):
    page.goto("/console/login")
    for _ in range(5):
        page.get_by_label("用户名").fill("huojia")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("用户名").fill("huojia")
    page.get_by_label("密码").fill("gonghui2026")  # the right password does not open a locked account
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("账号已临时锁定")


def test_the_login_page_does_not_send_anyone_off_site(page, demo):
    page.goto("/console/login?next=//evil.example/console/")
    sign_in(page, "kangcun")  # lands on the dashboard, not on the other site
    expect(page).to_have_url(re.compile(r"/console/$"))


def test_the_session_cookie_is_http_only(page, demo):
    sign_in(page, "kangcun")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"


def test_forms_without_the_csrf_token_do_nothing(client, demo):
    client.post("/console/login", data={"username": "kangcun", "password": "gonghui2026"})
    assert client.get("/console/tickets").status_code == 302  # not logged in: the token was missing
    page = client.get("/console/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/console/login", data={"username": "kangcun", "password": "gonghui2026", "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.get("/console/tickets").status_code == 200
    ticket_answer = client.post("/console/tickets/1/answer", data={"text": "您好"})  # logged in, but no token
    assert ticket_answer.status_code == 302
    assert demo.session.scalar(select(func.count(TicketMessage.id))) == 0


def test_with_the_database_down_the_console_says_so_in_chinese(make_app, tmp_path):
    client = make_app(DATABASE_URL="sqlite:///" + str(tmp_path / "no-such-dir" / "db.sqlite")).test_client()
    form = client.get("/console/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(
        "/console/login", data={"username": "kangcun", "password": "gonghui2026", "csrf_token": token}
    )
    assert response.status_code == 503
    assert "服务暂时不可用" in response.text and "Traceback" not in response.text
