"""Console pages: the dashboard — the figures and charts of the official's scope."""

from __future__ import annotations

from flask import g, render_template

from models import dashboard as figures
from models import training_menu
from models.childcare import CONFIRMED, WAITLISTED
from models.grievances import CATEGORIES, STATUS_LABELS
from models.pushes import FAILED, PENDING, SENT, SKIPPED

from ..extensions import db
from . import blueprint
from .charts import bar_chart, number, stacked_chart

TOP_DEMAND = 10
REACH_SERIES = {SENT: "已发送", SKIPPED: "未发送（有原因）", FAILED: "发送失败", PENDING: "待发送"}
DEMAND_SERIES = ("职工点菜", "企业拟派人数", "问卷选择", "职工心愿")


@blueprint.get("/")
def dashboard():
    """Show the official's overview: figures first, then the charts."""
    actor = g.actor
    care = figures.care(db.session, actor)
    demand = [row for row in training_menu.demand(db.session, actor) if row.total][:TOP_DEMAND]
    ratings = figures.class_ratings(db.session, actor)
    cases = figures.grievances(db.session, actor)
    issue, reach = figures.last_digest(db.session, actor) or (None, None)
    broadcasts = figures.recent_broadcasts(db.session, actor)
    charts = {
        "care_kind": _care_chart("各类托管报名人数", list(care.by_kind.items())),
        "care_session": _care_chart("各班次报名人数", care.by_session),
        "demand": stacked_chart(
            "培训需求排行（前10）",
            DEMAND_SERIES,
            [(r.title, (r.worker_orders, r.enterprise_headcount, r.survey_votes, r.requests)) for r in demand],
            unit="人",
        ),
        "ratings": bar_chart(
            "培训班评分（满分5分）",
            [(r.title, r.average) for r in ratings],
            scale=5,
            texts=[f"{number(r.average)}分 · {r.rated}人评" for r in ratings],
        ),
        "status": bar_chart("各状态案件数", [(STATUS_LABELS[s], n) for s, n in cases.by_status.items()], unit="件"),
        "category": bar_chart("各类别案件数", [(CATEGORIES[c], n) for c, n in cases.by_category.items()], unit="件"),
        "digest": _reach_chart("最近一期手机报送达情况", [reach] if reach else []),
        "broadcasts": _reach_chart("最近群发消息送达情况", broadcasts),
    }
    return render_template(
        "console/dashboard.html",
        care=care,
        demand=demand,
        ratings=ratings,
        cases=cases,
        issue=issue,
        reach=reach,
        broadcasts=broadcasts,
        charts=charts,
        has_below=len(actor.union_ids) > 1,
    )


def _care_chart(title: str, rows: list[tuple[str, dict[str, int]]]):
    return stacked_chart(
        title, ("已报名", "候补"), [(label, (n[CONFIRMED], n[WAITLISTED])) for label, n in rows], unit="人"
    )


def _reach_chart(title: str, pushes: list[figures.Reach]):
    return stacked_chart(
        title,
        tuple(REACH_SERIES.values()),
        [(p.title, tuple(p.counts[s] for s in REACH_SERIES)) for p in pushes],
        texts=[f"{number(p.counts[SENT])}/{number(p.recipients)}人" for p in pushes],
    )
