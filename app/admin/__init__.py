"""The admin JSON API (/api/admin): officials' door to the domain before the console exists."""

from flask import Blueprint

blueprint = Blueprint("admin_api", __name__, url_prefix="/api/admin")

from . import (  # noqa: E402,F401  (routes register on import)
    auth,
    broadcasts,
    childcare,
    digest_suggestions,
    digests,
    grievance_documents,
    grievances,
    notices,
    organisation,
    staff,
    surveys,
    tickets,
    training,
    training_lists,
    workers,
)
