"""Broadcasts in a browser: composed for a union's workers, tried on oneself, sent, counted; scope and bad input."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from models.base import LOCAL_TZ, utcnow
from models.push_delivery import expand
from models.push_ledger import create_push, progress
from models.pushes import CANCELLED, DONE, SCHEDULED, Push
from tests.pushing import add_workers, rows, run, sent_per_openid

HOSPITAL = "新乡医学院第一附属医院工会"
TEXT = "本周六上午在门诊楼一楼举办职工义诊，欢迎参加。"


def _draft(demo, username="xinyi-fy", title="职工义诊") -> Push:
    push = create_push(
        demo.session,
        demo.actor(username),
        kind="broadcast",
        title=title,
        message={"type": "text", "text": TEXT},
        audience={"unions": [demo.union(HOSPITAL).id]},
    )
    demo.session.commit()
    return push


def _push(demo, title: str) -> Push:
    demo.session.expire_all()
    return demo.session.scalars(select(Push).where(Push.title == title)).one()


def test_a_broadcast_is_tried_on_oneself_sent_and_its_final_counts_shown(official, demo, app, simulator, screenshot):
    union = demo.union(HOSPITAL)
    followers = add_workers(demo.session, union, "粉丝", 2, follow=True, simulator=simulator)
    subscribers = add_workers(demo.session, union, "订阅", 2, grant=True, simulator=simulator)
    demo.official("xinyi-fy").wechat_openid = "o-official-xinyi"
    demo.session.commit()
    simulator.state.record_interaction("o-official-xinyi")  # the official wrote to the account today
    page = official("xinyi-fy")
    page.get_by_role("link", name="群发消息").click()
    page.get_by_role("link", name="新建群发").click()
    page.get_by_label("消息标题").fill("职工义诊")
    page.get_by_label("文字内容").fill(TEXT)
    expect(page.get_by_label("获嘉县亢村镇工会")).to_have_count(0)  # only the unions of the official's scope
    page.get_by_label(HOSPITAL, exact=True).check()
    screenshot(page, "broadcast-new")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("status")).to_contain_text("已保存为草稿")
    push = _push(demo, "职工义诊")
    assert push.audience == {"unions": [union.id], "below": True} and push.message == {"type": "text", "text": TEXT}
    expect(page.get_by_role("region", name="发送对象")).to_contain_text(f"工会：{HOSPITAL}（含下级工会）")

    page.get_by_role("button", name="发送预览到我的微信").click()
    expect(page.get_by_role("status")).to_have_text("预览已发送到您的微信，请查看。")
    [preview] = simulator.state.sent_messages(openid="o-official-xinyi", kind="custom")
    assert preview["payload"]["text"]["content"] == "【预览】" + TEXT

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="立即发送").click()
    expect(page.get_by_role("status")).to_have_text("已开始发送，本页会自动刷新进度。")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(1)
    run(app)
    page.reload()
    expect(page.locator(".heading .badge")).to_have_text("已完成")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    counts = progress(demo.session, push.id)["counts"]
    assert counts["sent"] == progress(demo.session, push.id)["recipients"] >= 4
    figures = page.locator(".figure")
    expect(figures.filter(has_text="收件人")).to_contain_text(str(counts["sent"]))
    expect(figures.filter(has_text="已发送")).to_contain_text(str(counts["sent"]))
    expect(figures.filter(has_text="失败")).to_contain_text("0")
    expect(page.get_by_role("row").filter(has_text="公众号群发")).to_contain_text("2")
    screenshot(page, "broadcast-progress")
    reached = sent_per_openid(simulator)
    assert {w.openid for w in followers} | {w.miniapp_openid for w in subscribers} <= set(reached)
    assert set(reached.values()) == {1}


def test_skipped_recipients_are_counted_by_reason(official, demo, app, simulator):
    union = demo.union(HOSPITAL)
    add_workers(demo.session, union, "订阅", 2, grant=True, simulator=simulator)
    add_workers(demo.session, union, "未授权", 1, grant=True)  # the grant is known here, not at WeChat: 43101
    push = _draft(demo)
    page = official("xinyi-fy")
    page.goto(f"/console/broadcasts/{push.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="立即发送").click()
    with app.app_context():
        expand(db.session, push.id)  # the recipients are listed; nothing is sent yet
    listed = len(rows(demo.session, push.id))  # the hospital's demo workers and the three above
    assert listed > 3
    page.get_by_role("link", name="← 群发消息").click()
    expect(page.get_by_role("row").filter(has_text="职工义诊")).to_contain_text(f"已发 0 / {listed}")
    run(app)
    page.get_by_role("link", name="职工义诊").click()
    expect(page.locator(".figure").filter(has_text="跳过")).to_contain_text("1")
    expect(page.get_by_role("row").filter(has_text="43101")).to_contain_text("1")
    assert _push(demo, "职工义诊").status == DONE


def test_a_draft_is_scheduled_then_cancelled(official, demo):
    push = _draft(demo)
    at = (utcnow() + timedelta(days=2)).astimezone(LOCAL_TZ).replace(hour=9, minute=30, second=0, microsecond=0)
    page = official("xinyi-fy")
    page.goto(f"/console/broadcasts/{push.id}")
    page.get_by_label("定时发送").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="定时发送").click()
    expect(page.get_by_role("status")).to_have_text(f"已定时，将于{at:%m月%d日 %H:%M}发送。")
    scheduled = _push(demo, "职工义诊")
    assert scheduled.status == SCHEDULED and scheduled.send_at == at
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="取消发送").click()
    expect(page.get_by_role("status")).to_contain_text("已取消")
    assert _push(demo, "职工义诊").status == CANCELLED
    expect(page.get_by_role("button", name="立即发送")).to_have_count(0)


def test_bad_messages_and_audiences_are_refused_in_chinese(official, demo):
    before = demo.session.scalars(select(Push.id)).all()  # the demo's pushes, sent long ago
    page = official("kangcun")
    page.goto("/console/broadcasts/new")
    page.get_by_label("消息标题").fill("安全生产培训通知")
    page.get_by_label("图文消息").check()
    page.get_by_label("文章标题").fill("安全生产培训")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_have_text("文章链接 应为 http(s) 链接")
    expect(page.get_by_label("文章标题")).to_have_value("安全生产培训")  # what was typed is kept
    page.get_by_label("文章链接").fill("https://gonghui.example.cn/notice/1")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择发送对象")
    # A choice outside the official's scope, as a forged form would post it, is refused by the domain.
    hospital = demo.union(HOSPITAL).id
    page.get_by_label("获嘉县亢村镇工会", exact=True).evaluate(
        f"box => {{ box.value = '{hospital}'; box.checked = true; }}"
    )
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_have_text("未找到该工会")
    assert demo.session.scalars(select(Push.id)).all() == before


def test_an_official_of_another_union_cannot_see_the_broadcast(official, demo):
    push = _draft(demo)
    page = official("kangcun")
    page.goto("/console/broadcasts")
    expect(page.get_by_role("link", name="职工义诊")).to_have_count(0)
    response = page.goto(f"/console/broadcasts/{push.id}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")
    city = official("xinxiang-viewer")  # the city union sees the unions below it, read-only
    city.goto("/console/broadcasts")
    city.get_by_role("link", name="职工义诊").click()
    city.get_by_role("button", name="发送预览到我的微信").click()
    expect(city.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    expect(city).to_have_url(re.compile(rf"/console/broadcasts/{push.id}$"))
