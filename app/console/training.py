"""Console pages: menu-style training (菜单式培训) — the overview; the other pages live in training_*.py."""

from __future__ import annotations

from flask import g, render_template

from models import surveys, training_classes, training_enrolments, training_menu
from models.base import today

from ..extensions import db
from . import blueprint


@blueprint.get("/training")
def training():
    """Show the official's places in classes to fill, the classes coming up, and how the menu stands."""
    quotas = training_enrolments.quotas_for(db.session, g.actor)
    coming = [(c, n) for c, n in training_classes.list_classes(db.session, g.actor) if c.ends_on >= today()]
    coming.reverse()  # soonest first
    topics = training_menu.list_topics(db.session, g.actor)
    open_surveys = [s for s, _ in surveys.list_surveys(db.session, g.actor) if s.status() == surveys.OPEN]
    return render_template(
        "console/training/overview.html",
        quotas=quotas,
        coming=coming,
        on_menu=sum(t.active for t in topics),
        open_surveys=open_surveys,
        today=today(),
    )


# The area's other pages register on the blueprint when imported.
from . import (  # noqa: E402, F401
    training_attendance,
    training_classes_pages,
    training_lists,
    training_menu_pages,
    training_surveys,
)
