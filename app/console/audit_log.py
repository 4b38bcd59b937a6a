"""Console pages: the audit log (admins) — who viewed or changed what in their scope, filtered and paged."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import g, render_template, request
from sqlalchemy import select

from models import staff
from models.base import LOCAL_TZ
from models.errors import Invalid
from models.unions import TradeUnion

from ..extensions import db
from . import blueprint

PER_PAGE = 50
# What the entries' actions and objects are called in the console; anything else is shown as stored.
ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "view": "查看",
    "list": "查看列表",
    "export": "导出",
    "create": "新建",
    "update": "修改",
    "accept": "受理",
    "handle": "办理",
    "resolve": "办结",
    "close": "结案",
    "escalate": "逾期上报",
    "opinion": "发出意见书",
    "suggest": "发出建议书",
    "answer": "答复",
    "approve": "审核通过",
    "unapprove": "取消审核",
    "publish": "发布",
    "hold": "暂缓发布",
    "withdraw": "撤回",
    "reopen": "重新编辑",
    "decline": "不采用",
    "order": "点菜",
    "quota": "分配名额",
    "check_in": "签到",
    "certificates": "发放证书",
    "push.create": "新建推送",
    "push.schedule": "安排推送",
    "push.cancel": "取消推送",
    "push.test": "预览推送",
    "cancel": "取消",
    "deactivate": "停用",
    "reactivate": "重新启用",
    "import": "导入",
    "upload": "上传",
    "enrol_list": "提交报名名单",
    "renew_code": "更换签到码",
    "add_article": "添加文章",
    "update_article": "修改文章",
    "remove_article": "删除文章",
    "reorder": "调整顺序",
    "schedule": "安排发布",
    "preview": "预览",
    "official.bind_wechat": "绑定微信",
    "assign": "指派经办人",
    "mediate": "记录调解",
    "message": "回复职工",
}
OBJECTS = {
    "official": "账号",
    "worker": "职工",
    "grievance_case": "维权案件",
    "grievance_cases": "维权案件列表",
    "grievance_document": "维权文书",
    "childcare_program": "托管项目",
    "childcare_roster": "托管名单",
    "training_topic": "培训科目",
    "training_class": "培训班",
    "training_enrolments": "培训名单",
    "training_comments": "培训评价",
    "digest": "手机报",
    "push": "推送",
    "ticket": "工单",
    "survey": "问卷",
    "survey_answers": "问卷答卷",
    "childcare_registration": "托管报名",
    "knowledge_entry": "知识库条目",
}


@blueprint.get("/audit")
def audit_log():
    """List the audit entries of the admin's scope, newest first, by official, action and dates (China's days)."""
    g.actor.require_admin()
    official_id = _number("official")
    action = request.args.get("action") or None
    since, until = _day("since"), _day("until")
    page = _number("page") or 1
    entries = staff.read_audit_log(
        db.session,
        g.actor,
        limit=PER_PAGE + 1,  # one more tells whether there is a next page
        offset=(page - 1) * PER_PAGE,
        official_id=official_id,
        action=action,
        since=_start(since),
        until=_start(until + timedelta(days=1)) if until else None,
    )
    union_ids = {e.union_id for e in entries if e.union_id}
    unions = dict(db.session.execute(select(TradeUnion.id, TradeUnion.name).where(TradeUnion.id.in_(union_ids))).all())
    filters = {"official": official_id, "action": action, "since": since, "until": until}
    officials = staff.list_officials(db.session, g.actor)
    return render_template(
        "console/audit/list.html",
        entries=entries[:PER_PAGE],
        more=len(entries) > PER_PAGE,
        page=page,
        filters=filters,
        query={key: value for key, value in filters.items() if value},
        officials=officials,
        names={o.id: o.name for o in officials},
        actions=staff.audit_actions(db.session, g.actor),
        unions=unions,
        action_labels=ACTIONS,
        object_labels=OBJECTS,
    )


def _number(name: str) -> int | None:
    value = request.args.get(name) or None
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 2**31:
        raise Invalid("筛选条件有误，请重新选择")
    return int(value)


def _day(name: str) -> date | None:
    value = request.args.get(name) or None
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as error:
        raise Invalid("日期格式应为 2026-11-23") from error


def _start(day: date | None) -> datetime | None:
    """Return the moment a day begins in China."""
    return datetime.combine(day, time(), LOCAL_TZ) if day else None
