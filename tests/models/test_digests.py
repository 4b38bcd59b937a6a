"""The 手机报's domain: numbered issues in five sections, approval, scheduling, workers' items, publishing once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import digest_issues as issues
from models import digest_suggestions as suggestions
from models.audit import AuditEntry
from models.base import LOCAL_TZ
from models.database import make_session_factory
from models.digest_issues import Schedule
from models.digest_publishing import publish, publish_due
from models.digests import ACCEPTED, APPROVED, DECLINED, DRAFT, PENDING, PUBLISHED, WITHDRAWN, Digest, Suggestion
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.notifications import Notification
from models.official_notices import OfficialNotice
from models.pushes import CANCELLED, DIGEST, SCHEDULED, Push

BASE = "https://gonghui.example.cn"
TEXT = "亢村镇工会到工业园区慰问一线职工，送去防暑降温用品。"
ADMIN = "xinxiang-admin"


def number(demo, n: int) -> Digest:
    demo.session.expire_all()
    return demo.session.scalars(select(Digest).where(Digest.number == n)).one()


@pytest.fixture
def admin(demo):
    return demo.actor(ADMIN)


@pytest.fixture
def draft(demo) -> Digest:
    """The demo's 第32期, still being composed for this week's Friday 18:00."""
    return number(demo, 32)


def pushes_of(demo, issue: Digest) -> list[int]:
    """Return the ids of an issue's pushes (the demo's 第31期 and broadcasts have theirs)."""
    demo.session.expire_all()
    return list(demo.session.scalars(select(Push.id).where(Push.kind == DIGEST, Push.title == issue.title)))


def before(draft: Digest, **delta) -> datetime:
    """A moment before the draft's publishing time (two days by default)."""
    return draft.publish_at - (timedelta(**delta) if delta else timedelta(days=2))


def test_the_weekly_slot_is_friday_18_00_china_time_and_configurable():
    friday = DEFAULT = issues.DEFAULT_SCHEDULE
    assert friday.slot(date(2026, 11, 23)) == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 18:00 in 新乡
    assert friday.slot(date(2026, 11, 29)) == friday.slot(date(2026, 11, 27))  # Sunday is in the same week
    assert friday.next_slot(datetime(2026, 11, 27, 10, 0, tzinfo=UTC)) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    monday = Schedule.of(1, "07:30")
    assert monday.slot(date(2026, 11, 27)) == datetime(2026, 11, 23, 7, 30, tzinfo=LOCAL_TZ)
    assert (DEFAULT.label, monday.label) == ("周五18:00", "周一07:30")


def test_the_demo_holds_issues_30_and_31_sent_and_32_being_composed(demo, draft):
    sent = [number(demo, 30), number(demo, 31)]
    assert [d.status for d in sent] == [PUBLISHED, PUBLISHED] and draft.status == DRAFT
    assert sent[1].publish_at == draft.publish_at - timedelta(weeks=1)
    assert sent[1].title == f"新乡工会手机报 {sent[1].issue_date.year}年第31期"
    assert {code for code, _, rows in issues.sections(sent[1]) if rows} == set(issues.SECTIONS)
    assert "获嘉县总工会构建“1+5+N”联动机制 全力推进劳动纠纷多元化解" in [a.title for a in sent[1].articles]
    assert draft.publish_at.astimezone(LOCAL_TZ).time() == time(18, 0) and draft.publish_at.isoweekday() == 5


def test_a_new_issue_takes_the_next_number_and_the_friday_of_its_week(demo, admin, draft):
    with pytest.raises(Conflict, match="本周已有第32期"):
        issues.create_issue(demo.session, admin, now=before(draft))
    next_week = issues.create_issue(
        demo.session, admin, issue_date=draft.issue_date + timedelta(days=5), now=before(draft)
    )
    assert next_week.number == 33 and next_week.status == DRAFT
    assert next_week.title == f"新乡工会手机报 {next_week.issue_date.year}年第33期"
    assert next_week.publish_at == draft.publish_at + timedelta(weeks=1)
    after_friday = issues.create_issue(demo.session, admin, now=draft.publish_at + timedelta(weeks=1, minutes=1))
    assert after_friday.number == 34 and after_friday.publish_at == draft.publish_at + timedelta(weeks=2)


def test_only_officials_who_write_for_the_city_union_compose_issues(demo, draft):
    with pytest.raises(Forbidden, match="市总工会"):
        issues.create_issue(demo.session, demo.actor("huojia"), now=before(draft))
    with pytest.raises(Forbidden, match="只读"):
        issues.create_issue(demo.session, demo.actor("xinxiang-viewer"), now=before(draft))
    with pytest.raises(NotFound, match="手机报"):
        issues.issue_in_scope(demo.session, demo.actor("huojia"), draft.id)
    assert issues.list_issues(demo.session, demo.actor("kangcun")) == []
    assert [d.number for d in issues.list_issues(demo.session, demo.actor("xinxiang-viewer"))] == [32, 31, 30]
    with pytest.raises(Invalid, match="已过"):
        issues.create_issue(demo.session, demo.actor(ADMIN), issue_date=date(2020, 1, 1), now=before(draft))


def test_articles_are_placed_moved_and_numbered_within_their_sections(demo, admin, draft):
    first = issues.add_article(demo.session, admin, draft.id, section="city_news", title="新乡新闻一")
    second = issues.add_article(demo.session, admin, draft.id, section="city_news", title="新乡新闻二")
    top = issues.add_article(demo.session, admin, draft.id, section="city_news", title="新乡新闻头条", position=1)
    assert [(a.title, a.position) for a in issues.sections(draft)[1][2]] == [
        ("新乡新闻头条", 1),
        ("新乡新闻一", 2),
        ("新乡新闻二", 3),
    ]
    issues.update_article(demo.session, admin, draft.id, first.id, section="union_info", title="  工会资讯一  ")
    assert (first.section, first.section_order, first.position, first.title) == ("union_info", 3, 1, "工会资讯一")
    assert [a.position for a in issues.sections(draft)[1][2]] == [1, 2]
    issues.reorder_section(demo.session, admin, draft.id, "city_news", [second.id, top.id])
    assert [a.title for a in issues.sections(draft)[1][2]] == ["新乡新闻二", "新乡新闻头条"]
    with pytest.raises(Invalid, match="全部文章"):
        issues.reorder_section(demo.session, admin, draft.id, "city_news", [second.id])
    issues.remove_article(demo.session, admin, draft.id, second.id)
    assert [(a.title, a.position) for a in issues.sections(draft)[1][2]] == [("新乡新闻头条", 1)]
    actions = demo.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(draft.id))).all()
    assert {"add_article", "update_article", "reorder", "remove_article"} <= set(actions)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"section": "sports"}, "栏目应为：工会要闻、新乡新闻、工会资讯、县区动态、维权服务"),
        ({"title": "  "}, "标题不能为空，且不超过100个字"),
        ({"title": "长" * 101}, "标题不能为空，且不超过100个字"),
        ({"summary": "摘" * 301}, "摘要不超过300个字"),
        ({"cover_url": "javascript:alert(1)"}, "封面图片地址应以 http:// 或 https:// 开头"),
        ({"cover_url": "//evil.example/x.png"}, "封面图片地址应以 http:// 或 https:// 开头"),
        ({"link": "/digest/31"}, "原文链接应以 http:// 或 https:// 开头"),
        ({"body": "第一段\x00"}, "正文含有无法显示的字符"),
    ],
)
def test_articles_are_checked_with_chinese_messages(demo, admin, draft, fields, message):
    with pytest.raises(Invalid, match=message):
        issues.add_article(demo.session, admin, draft.id, **{"section": "rights", "title": "标题", **fields})


def test_html_from_officials_is_kept_as_text(demo, admin, draft):
    article = issues.add_article(
        demo.session, admin, draft.id, section="rights", title="<b>加粗</b>", body="<script>alert(1)</script>\r\n第二段"
    )
    assert (article.title, article.body) == ("<b>加粗</b>", "<script>alert(1)</script>\n第二段")


def test_approval_is_recorded_and_any_change_takes_it_back(demo, admin, draft):
    with pytest.raises(Forbidden):
        issues.approve(demo.session, demo.actor("xinxiang-viewer"), draft.id)
    issues.approve(demo.session, admin, draft.id)
    assert (draft.status, draft.approved_by) == (APPROVED, admin.id) and draft.approved_at is not None
    with pytest.raises(Conflict, match="已审核"):
        issues.approve(demo.session, admin, draft.id)
    issues.add_article(demo.session, admin, draft.id, section="city_news", title="审核后新增")
    assert (draft.status, draft.approved_by, draft.approved_at) == (DRAFT, None, None)
    actions = demo.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(draft.id))).all()
    assert actions[-3:] == ["approve", "unapprove", "add_article"]


def test_an_empty_issue_cannot_be_approved(demo, admin, draft):
    empty = issues.create_issue(demo.session, admin, issue_date=draft.issue_date + timedelta(days=7), now=before(draft))
    with pytest.raises(Invalid, match="第33期还没有文章，不能审核"):
        issues.approve(demo.session, admin, empty.id)


def test_schedule_withdraw_and_reopen(demo, admin, draft):
    saturday = datetime.combine(draft.issue_date + timedelta(days=1), time(9, 0), LOCAL_TZ)
    issues.schedule(demo.session, admin, draft.id, saturday, now=before(draft))
    assert draft.publish_at == saturday and draft.issue_date == saturday.date()
    with pytest.raises(Invalid, match="早于现在"):
        issues.schedule(demo.session, admin, draft.id, before(draft, days=3), now=before(draft))
    issues.withdraw(demo.session, admin, draft.id, "内容需要调整")
    assert draft.status == WITHDRAWN
    with pytest.raises(Conflict, match="已撤回"):
        issues.add_article(demo.session, admin, draft.id, section="rights", title="撤回后")
    issues.reopen(demo.session, admin, draft.id)
    assert draft.status == DRAFT
    with pytest.raises(Conflict, match="已发布"):
        issues.add_article(demo.session, admin, number(demo, 31).id, section="rights", title="发布后")
    with pytest.raises(Conflict, match="不能恢复"):
        issues.reopen(demo.session, admin, number(demo, 31).id)


def test_a_worker_suggests_an_item_to_their_union(demo):
    zhangwei = demo.worker("张伟")  # 获嘉县恒达机械有限公司 has no union of its own: 亢村镇's takes it
    item = suggestions.submit(
        demo.session,
        worker=zhangwei,
        title="亢村镇工会送清凉",
        body="亢村镇工会到工业园区慰问一线职工，送去防暑降温用品。",
    )
    assert (item.union_id, item.status) == (demo.union("获嘉县亢村镇工会").id, PENDING)
    kangcun = demo.actor("kangcun")
    assert item.id in [s.id for s in suggestions.list_suggestions(demo.session, kangcun, status=PENDING)]
    assert suggestions.list_suggestions(demo.session, demo.actor("chengguan")) == []
    with pytest.raises(Invalid, match="标题应为2到100个字"):
        suggestions.submit(demo.session, worker=zhangwei, title="好", body=TEXT)
    for n in range(2):
        suggestions.submit(demo.session, worker=zhangwei, title=f"第{n}条", body=TEXT)
    with pytest.raises(Conflict, match="每天最多投稿3条"):
        suggestions.submit(demo.session, worker=zhangwei, title="第四条", body=TEXT)


def test_an_item_taken_into_an_issue_becomes_its_county_news_and_the_worker_is_told(demo, admin, draft):
    item = demo.session.scalars(select(Suggestion).where(Suggestion.status == PENDING)).one()  # 刘洋's, 七里营镇
    with pytest.raises(NotFound, match="未找到该投稿"):  # sent to 新乡县's township: out of 获嘉's sight
        suggestions.accept(demo.session, demo.actor("huojia"), item.id, digest_id=draft.id)
    own = suggestions.submit(demo.session, worker=demo.worker("张伟"), title="亢村镇工会送清凉", body=TEXT)
    with pytest.raises(NotFound, match="未找到该期手机报"):  # the township takes items, the city composes issues
        suggestions.accept(demo.session, demo.actor("kangcun"), own.id, digest_id=draft.id)
    article = suggestions.accept(demo.session, admin, item.id, digest_id=draft.id, title="爱心托管班里的暑假")
    assert (article.section, article.position, article.suggestion_id) == ("county_news", 2, item.id)
    assert (article.title, article.body) == ("爱心托管班里的暑假", item.body)
    assert (item.status, item.reviewed_by) == (ACCEPTED, admin.id)
    told = demo.session.scalars(
        select(Notification).where(Notification.worker_id == item.worker_id, Notification.kind == "digest_suggestion")
    ).one()
    assert "已被采用" in told.body and "第32期“县区动态”" in told.body
    with pytest.raises(Conflict, match="已经处理过了"):
        suggestions.accept(demo.session, admin, item.id, digest_id=draft.id)
    with pytest.raises(Conflict, match="已经处理过了"):
        suggestions.decline(demo.session, admin, item.id)


def test_a_declined_item_tells_the_worker_why(demo, admin):
    item = suggestions.submit(
        demo.session,
        worker=demo.worker("李娜"),
        title="城关镇纺织车间",
        body="车间新装了降温风扇，工友们干活舒服多了。",
    )
    suggestions.decline(demo.session, demo.actor("chengguan"), item.id, reason="已在上期刊登类似内容")
    assert item.status == DECLINED
    told = demo.session.scalars(
        select(Notification).where(Notification.dedup_key == f"digest-suggestion:{item.id}")
    ).one()
    assert told.body == "您投稿的《城关镇纺织车间》这次未被采用。原因：已在上期刊登类似内容。欢迎继续来稿。"


def test_an_approved_issue_is_published_once_when_its_time_comes(demo, admin, draft):
    issues.approve(demo.session, admin, draft.id)
    demo.session.commit()
    early = publish_due(demo.session, now=before(draft, minutes=1), base_url=BASE)
    assert early.published == [] and number(demo, 32).status == APPROVED
    done = publish_due(demo.session, now=draft.publish_at + timedelta(minutes=1), base_url=BASE)
    assert done.published == [32] and done.held == []
    sent = number(demo, 32)
    assert (sent.status, sent.published_at) == (PUBLISHED, draft.publish_at + timedelta(minutes=1))
    push = demo.session.get(Push, sent.push_id)
    assert (push.kind, push.status, push.union_id, push.audience) == (
        DIGEST,
        SCHEDULED,
        sent.union_id,
        {"everyone": True},
    )
    assert push.message["url"] == f"{BASE}/digest/32" and push.message["title"] == sent.title
    assert push.message["description"].startswith("本期要闻：工会会客厅推出“劳模助力乡村振兴”专题访谈；")
    assert len(push.message["description"]) <= 120
    again = publish_due(demo.session, now=draft.publish_at + timedelta(minutes=3), base_url=BASE)
    assert again.published == [] and pushes_of(demo, sent) == [push.id]


def test_a_second_scheduler_holding_the_issue_as_approved_publishes_nothing(demo, admin, draft, app):
    issues.approve(demo.session, admin, draft.id)
    demo.session.commit()
    with make_session_factory(app.extensions["gonghui.db"][0])() as other:
        stale = other.get(Digest, draft.id)  # read as approved before the first scheduler's turn
        assert stale.status == APPROVED
        other.rollback()
        publish_due(demo.session, now=draft.publish_at, base_url=BASE)
        assert not publish(other, stale, now=draft.publish_at, base_url=BASE)
    assert len(pushes_of(demo, draft)) == 1


def test_two_schedulers_at_the_same_moment_publish_the_issue_once(demo, admin, draft, app):
    issues.approve(demo.session, admin, draft.id)
    demo.session.commit()
    sessions = make_session_factory(app.extensions["gonghui.db"][0])
    start, results = threading.Barrier(2), []

    def scheduler():
        with sessions() as session:
            start.wait()
            results.append(publish_due(session, now=draft.publish_at, base_url=BASE).published)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [[], [32]]
    assert len(pushes_of(demo, draft)) == 1 and number(demo, 32).status == PUBLISHED


def test_an_issue_due_but_not_approved_is_held_and_the_officials_told_once(demo, draft):
    due = draft.publish_at + timedelta(minutes=1)
    held = publish_due(demo.session, now=due, base_url=BASE)
    assert held.published == [] and len(held.held) == 1 and "第32期手机报已到发布时间" in held.held[0]
    assert number(demo, 32).status == DRAFT and pushes_of(demo, draft) == []
    notice = demo.session.scalars(select(OfficialNotice)).one()
    assert (notice.union_id, notice.kind, notice.object_id) == (draft.union_id, "digest_not_sent", draft.id)
    assert "尚未审核，没有发送" in notice.text
    assert publish_due(demo.session, now=due + timedelta(minutes=2), base_url=BASE).held == []
    assert len(demo.session.scalars(select(OfficialNotice)).all()) == 1


def test_a_week_with_no_issue_at_all_is_reported(demo, admin, draft):
    issues.withdraw(demo.session, admin, draft.id)
    demo.session.commit()
    done = publish_due(demo.session, now=draft.publish_at + timedelta(hours=1), base_url=BASE)
    assert len(done.held) == 1 and "本周" in done.held[0] and "周五18:00未能发送" in done.held[0]
    assert publish_due(demo.session, now=draft.publish_at + timedelta(hours=2), base_url=BASE).held == []


def test_withdrawing_a_published_issue_stops_its_push(demo, admin, draft):
    issues.approve(demo.session, admin, draft.id)
    demo.session.commit()
    publish_due(demo.session, now=draft.publish_at, base_url=BASE)
    sent = number(demo, 32)
    issues.withdraw(demo.session, admin, sent.id, "数据有误")
    assert sent.status == WITHDRAWN and demo.session.get(Push, sent.push_id).status == CANCELLED
    assert issues.published_issue(demo.session, sent.union_id, 32) is None
