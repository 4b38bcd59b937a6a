"""The mini-program REST API (/api): workers' door to the domain, documented at /api/openapi.json."""

from flask import Blueprint, Response

blueprint = Blueprint("api", __name__, url_prefix="/api")


@blueprint.after_request
def _challenge(response: Response) -> Response:
    """Tell a client answered 401 which scheme to log in with (RFC 6750)."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="gonghui"')
    return response


from . import auth, childcare, digests, docs, grievances, me, notifications, surveys, training, weixin  # noqa: E402,F401  (routes and handlers register on import)
