"""Console pages: the training menu (topics with experts, days, hours, audience, industry) and the demand ranking."""

from __future__ import annotations

from flask import g, render_template, request

from models import training_classes, training_menu
from models.errors import DomainError
from models.organisation import list_enterprises

from ..extensions import db
from . import blueprint
from .training_forms import TOPIC_LABELS, TopicForm, lines, refill
from .web import done, form


@blueprint.get("/training/menu")
def training_menu_page():
    """List the menus of the unions in scope, what workers ordered, and a form to add a topic."""
    return _menu()


def _menu() -> str:
    topics = training_menu.list_topics(db.session, g.actor)
    orders = training_menu.order_counts(db.session, [t.id for t in topics])
    # A wish from the demand ranking comes here as ?title=… to become a topic.
    values = request.form or {"title": request.args.get("title", "")}
    return render_template("console/training/menu.html", topics=topics, orders=orders, values=values)


@blueprint.post("/training/menu")
def training_topic_create():
    """Put a topic on the official's union's menu."""
    try:
        fields = form(TopicForm, TOPIC_LABELS, experts=lines("experts")).model_dump(exclude={"union_id"})
        topic = training_menu.create_topic(db.session, g.actor, **fields)
    except DomainError as error:
        return refill(error, _menu)
    return done(f"“{topic.title}”已加入培训菜单。", "console.training_menu_page")


@blueprint.get("/training/menu/<id:topic_id>")
def training_topic(topic_id: int):
    """Show a topic to edit, with the enterprises that ordered it and its classes."""
    return _topic(topic_id)


def _topic(topic_id: int) -> str:
    topic = training_menu.topic_in_scope(db.session, g.actor, topic_id)
    return render_template(
        "console/training/topic.html",
        topic=topic,
        values=request.form or _values(topic),
        orders=training_menu.enterprise_orders(db.session, g.actor, topic.id),
        classes=training_classes.list_classes(db.session, g.actor, topic_id=topic.id),
    )


def _values(topic) -> dict:
    fields = {name: getattr(topic, name) for name in TOPIC_LABELS}
    return fields | {"industry": topic.industry or "", "experts": "\n".join(topic.experts)}


@blueprint.post("/training/menu/<id:topic_id>")
def training_topic_update(topic_id: int):
    """Change a topic; only the fields that differ are changed (and audited)."""
    try:
        topic = training_menu.topic_in_scope(db.session, g.actor, topic_id)
        fields = form(TopicForm, TOPIC_LABELS, experts=lines("experts")).model_dump(exclude={"union_id"})
        changed = {name: value for name, value in fields.items() if getattr(topic, name) != value}
        if changed:
            training_menu.update_topic(db.session, g.actor, topic.id, **changed)
    except DomainError as error:
        return refill(error, lambda: _topic(topic_id))
    message = "已保存修改。" if changed else "没有需要保存的修改。"
    return done(message, "console.training_topic", topic_id=topic_id)


@blueprint.post("/training/menu/<id:topic_id>/active")
def training_topic_active(topic_id: int):
    """Take a topic off the menu, or put it back."""
    active = request.form.get("active") == "1"
    topic = training_menu.update_topic(db.session, g.actor, topic_id, active=active)
    message = f"“{topic.title}”已重新上架。" if active else f"“{topic.title}”已从菜单下架，历史记录保留。"
    return done(message, "console.training_topic", topic_id=topic_id)


@blueprint.get("/training/demand")
def training_demand():
    """Rank what workers and enterprises ask for: orders, headcounts, survey votes and wishes, on the menu or not."""
    industry = (request.args.get("industry") or "").strip()[:30] or None
    rows = training_menu.demand(db.session, g.actor, industry=industry)
    # The industries of the menu and of the enterprises in scope: where demand can come from.
    topics = training_menu.list_topics(db.session, g.actor)
    enterprises = list_enterprises(db.session, g.actor)
    industries = sorted({t.industry for t in topics if t.industry} | {e.industry for e in enterprises if e.industry})
    return render_template(
        "console/training/demand.html",
        rows=rows,
        industry=industry,
        industries=[(None, "全部行业"), *((name, name) for name in industries)],
        most=max((r.total for r in rows), default=0),
    )
