"""The audit log in a browser: admins see who did what in their scope, filtered and paged; others are refused."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from models import audit
from models.base import LOCAL_TZ, utcnow


def test_an_admin_sees_a_login_that_just_happened(official, demo, screenshot):
    official("kangcun")
    page = official("xinxiang-admin")
    page.get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    first = page.locator("table.audit tbody tr").first
    expect(first).to_contain_text("xinxiang-admin")  # the admin's own login is the newest
    login = page.locator("table.audit tbody tr").filter(has_text="kangcun").first
    expect(login.locator("td[data-label=操作]")).to_have_text("登录")
    expect(login.locator("td[data-label=IP]")).to_have_text("127.0.0.1")
    screenshot(page, "audit-log")


def test_the_log_is_filtered_by_official_action_and_day(official, demo):
    official("kangcun")
    page = official("xinxiang-admin")
    page.goto("/console/audit")
    page.get_by_label("操作人").select_option(label="亢村镇工会干部（kangcun）")
    page.get_by_label("操作类型").select_option(label="登录")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("kangcun")
    tomorrow = (utcnow().astimezone(LOCAL_TZ) + timedelta(days=1)).date().isoformat()
    page.get_by_label("起始日期").fill(tomorrow)
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("没有符合条件的记录。")).to_be_visible()
    page.get_by_role("link", name="清除筛选").click()
    expect(rows.filter(has_text="xinxiang-admin").first).to_be_visible()


def test_the_log_is_paged_fifty_at_a_time_newest_first(official, demo):
    union = demo.union("获嘉县亢村镇工会")
    for number in range(60):
        audit.record(
            demo.session,
            actor="system",
            action="escalate",
            object_type="grievance_case",
            object_id=number,
            union_id=union.id,
        )
    demo.session.commit()
    page = official("xinxiang-admin")
    page.goto("/console/audit?action=escalate")
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first.locator("td[data-label=对象]")).to_have_text("维权案件 #59")
    expect(rows.first.locator("td[data-label=工会]")).to_have_text("获嘉县亢村镇工会")
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_text("第 2 页")).to_be_visible()
    expect(rows).to_have_count(10)
    expect(rows.last.locator("td[data-label=对象]")).to_have_text("维权案件 #0")
    expect(page.get_by_role("link", name="下一页")).to_have_count(0)


def test_another_scopes_admin_does_not_see_the_entries(official, demo):
    official("kangcun")
    page = official("hebei-admin")
    page.goto("/console/audit")
    expect(page.locator("table.audit tbody tr").first).to_contain_text("hebei-admin")
    expect(page.locator("table.audit tbody tr").filter(has_text="kangcun")).to_have_count(0)
    expect(page.get_by_role("option", name="亢村镇工会干部（kangcun）")).to_have_count(0)


def test_a_non_admin_is_refused(official, demo):
    page = official("kangcun")
    expect(page.get_by_role("link", name="审计日志")).to_have_count(0)
    response = page.goto("/console/audit")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")
    expect(page.get_by_text("仅管理员可以执行此操作")).to_be_visible()
    viewer = official("xinxiang-viewer")
    assert viewer.goto("/console/audit").status == 403
