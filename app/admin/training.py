"""Menu-style training for officials: the menu, enterprises' orders, the demand ranking, classes and quotas."""

from __future__ import annotations

from flask import g, request

from models import training_classes as classes
from models import training_enrolments as enrolments
from models import training_menu as menu
from models.officials import Role

from ..extensions import db
from . import blueprint
from . import training_serialize as out
from .context import login_required, payload, query_int
from .training_schemas import CancelIn, ClassIn, ClassPatch, OrderIn, QuotaIn, TopicIn, TopicPatch


@blueprint.get("/training/topics")
@login_required
def list_topics():
    """List the menus of the unions in scope, the topics on offer first."""
    return {"topics": [out.topic(t) for t in menu.list_topics(db.session, g.actor)]}


@blueprint.post("/training/topics")
@login_required
def create_topic():
    """Put a topic on the menu of a union in scope (the official's own by default)."""
    topic = menu.create_topic(db.session, g.actor, **payload(TopicIn).model_dump())
    db.session.commit()
    return out.topic(topic), 201


@blueprint.patch("/training/topics/<id:topic_id>")
@login_required
def update_topic(topic_id: int):
    """Change a topic, or take it off the menu with active=false."""
    topic = menu.update_topic(db.session, g.actor, topic_id, **payload(TopicPatch).model_dump(exclude_unset=True))
    db.session.commit()
    return out.topic(topic)


@blueprint.get("/training/topics/<id:topic_id>/orders")
@login_required
def topic_orders(topic_id: int):
    """The enterprises' orders of a topic, largest headcount first."""
    return {"orders": [out.order(o) for o in menu.enterprise_orders(db.session, g.actor, topic_id)]}


@blueprint.post("/training/orders")
@login_required
def order_topic():
    """Order a topic for an enterprise in scope with the number it would send; ordering again updates it."""
    order = menu.order_for_enterprise(db.session, g.actor, **payload(OrderIn).model_dump())
    db.session.commit()
    return out.order(order)


@blueprint.get("/training/demand")
@login_required
def training_demand():
    """Rank what workers and enterprises ask for: orders, survey votes and wishes, on the menu or not."""
    industry = (request.args.get("industry") or "").strip()[:30] or None
    rows = menu.demand(db.session, g.actor, industry=industry)
    return {"industry": industry, "demand": [out.demand_row(r) for r in rows]}


@blueprint.get("/training/classes")
@login_required
def list_classes():
    """List the classes of the unions in scope, the latest first, with their counts."""
    rows = classes.list_classes(db.session, g.actor, topic_id=query_int("topic_id"))
    return {"classes": [out.training_class(c, counts) for c, counts in rows]}


@blueprint.post("/training/classes")
@login_required
def schedule_class():
    """Open a class of a topic in scope (上菜); experts and hours default to the topic's."""
    training = classes.schedule_class(db.session, g.actor, **payload(ClassIn).model_dump(exclude_none=True))
    db.session.commit()
    return _detail(training.id), 201


@blueprint.get("/training/classes/<id:class_id>")
@login_required
def class_detail(class_id: int):
    """A class with its quotas, counts, open places and, for those who run it, the check-in code."""
    return _detail(class_id)


@blueprint.patch("/training/classes/<id:class_id>")
@login_required
def update_class(class_id: int):
    """Change a class that has not started."""
    classes.update_class(db.session, g.actor, class_id, **payload(ClassPatch).model_dump(exclude_unset=True))
    db.session.commit()
    return _detail(class_id)


@blueprint.post("/training/classes/<id:class_id>/cancel")
@login_required
def cancel_class(class_id: int):
    """Call off a class and tell everyone enrolled why."""
    told = enrolments.cancel_class(db.session, g.actor, class_id, reason=payload(CancelIn).reason)
    db.session.commit()
    return {"class": _detail(class_id), "notified": told}


@blueprint.put("/training/classes/<id:class_id>/quotas/<id:enterprise_id>")
@login_required
def set_quota(class_id: int, enterprise_id: int):
    """Reserve places of a class for an enterprise (0 frees what it has not used)."""
    seats = payload(QuotaIn).seats
    quota = classes.set_quota(db.session, g.actor, class_id, enterprise_id=enterprise_id, seats=seats)
    db.session.commit()
    return out.quota(quota)


@blueprint.post("/training/classes/<id:class_id>/checkin-code")
@login_required
def renew_code(class_id: int):
    """Give a class a new check-in code."""
    classes.renew_checkin_code(db.session, g.actor, class_id)
    db.session.commit()
    return _detail(class_id)


def _detail(class_id: int) -> dict:
    training = classes.class_in_scope(db.session, g.actor, class_id)
    counts = classes.counts_by_class(db.session, [training.id]).get(training.id)
    return out.class_detail(training, counts, code=g.actor.official.role != Role.VIEWER)
