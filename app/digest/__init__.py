"""The 手机报 on the web: /digest (the archive) and /digest/<number> (an issue), for phones, nothing from outside."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup

from models import digest_issues as issues
from models.base import as_utc
from models.digests import Digest
from models.images import image_by_hash

from ..extensions import db

HERE = Path(__file__).parent
blueprint = Blueprint(
    "digest", __name__, template_folder="templates", static_folder="static", static_url_path="/digest/static"
)

blueprint.get_send_file_max_age = lambda filename: 86400  # the covers change with a deploy, if ever

CSS = (HERE / "static" / "digest.css").read_text(encoding="utf-8")
# Inline, so a page is one request on a slow network; the policy lets only this very style sheet run.
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
POLICY = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src 'self' https: http: data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
# Part of every ETag: a deploy that changes how pages look changes the tags of unchanged issues too.
_VERSION = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted((HERE / "templates").rglob("*.html"))) + CSS.encode()
).hexdigest()[:12]
ISSUE_SECONDS, ARCHIVE_SECONDS = 300, 60  # short: a withdrawn issue leaves caches soon
IMAGE_SECONDS = 365 * 86400  # an image's address is its content's hash: it never changes
WEEKDAYS = "一二三四五六日"
MAX_NUMBER = 2**31 - 1  # an INTEGER column: larger would be an error, not a 404


def _tag(*parts) -> str:
    return hashlib.sha256("|".join(map(str, (_VERSION, *parts))).encode()).hexdigest()[:32]


def _page(template: str, tag: str, seconds: int, status: int = 200, **context) -> Response:
    """Answer 304 when the reader has this very page, else render it, with caching and safety headers."""
    if status == 200 and request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = Response(render_template(template, css=Markup(CSS), **context), status=status)  # noqa: S704  (our own file)
    if status == 200:
        response.set_etag(tag)
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
    else:
        response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


def schedule() -> issues.Schedule:
    """Return the weekly publishing time of the settings."""
    config = current_app.config["GONGHUI"]
    return issues.Schedule.of(config.DIGEST_PUBLISH_DAY, config.DIGEST_PUBLISH_TIME)


def _names(union) -> dict:
    return {
        "paper": issues.paper_name(union) if union else "工会手机报",
        "union_name": union.name if union else "",
        "every": schedule().label,
    }


@blueprint.get("/digest", strict_slashes=False)
def archive():
    """List the published issues, the newest first, with their headlines."""
    union = issues.publisher(db.session)
    rows = issues.published_issues(db.session, union.id) if union else []
    tag = _tag("archive", *((d.number, as_utc(d.published_at).timestamp()) for d in rows))
    headlines = {d.id: issues.headlines(d) for d in rows}
    return _page("digest/archive.html", tag, ARCHIVE_SECONDS, issues=rows, headlines=headlines, **_names(union))


@blueprint.get("/digest/<number>")
def issue(number: str):
    """Show a published issue: its sections in order, each article with its own anchor (#rights-1)."""
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= MAX_NUMBER):
        return missing()
    union = issues.publisher(db.session)
    digest = issues.published_issue(db.session, union.id, int(number)) if union else None
    if digest is None:
        return missing()
    before, after = issues.neighbours(db.session, digest)
    tag = _tag("issue", digest.id, as_utc(digest.published_at).timestamp(), before, after)
    return _page("digest/issue.html", tag, ISSUE_SECONDS, **issue_context(digest, before, after))


def issue_context(digest: Digest, before: int | None = None, after: int | None = None) -> dict:
    """Return what the issue page shows of an issue (the console's phone preview renders drafts with it)."""
    return {
        "digest": digest,
        "sections": issues.sections(digest),
        "weekday": f"星期{WEEKDAYS[digest.issue_date.weekday()]}",
        "before": before,
        "after": after,
        **_names(digest.union),
    }


@blueprint.get("/digest/images/<name>")
def image(name: str):
    """Serve an uploaded image by its hash (/digest/images/<sha256>.png): public, kept by browsers for a year."""
    sha256, _, extension = name.partition(".")
    found = image_by_hash(db.session, sha256)
    if found is None or found.extension != extension:
        return Response("未找到该图片", status=404, mimetype="text/plain", headers={"Cache-Control": "no-cache"})
    response = Response(found.data, mimetype=found.content_type)
    response.set_etag(found.sha256)
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_SECONDS}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response.make_conditional(request)


@blueprint.get("/digest/<path:anything>")
def missing(anything: str | None = None):
    """Say in Chinese that there is no such issue (unknown, not yet out, or withdrawn)."""
    return _page("digest/missing.html", "", 0, status=404, **_names(issues.publisher(db.session)))
