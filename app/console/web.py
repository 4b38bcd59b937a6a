"""What every console page shares: the logged-in official, CSRF on every form, errors as pages, navigation."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from pydantic import BaseModel, ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError as CsrfInvalid

from models.access import Actor
from models.base import LOCAL_TZ, as_utc
from models.errors import DomainError, Forbidden, NotFound
from models.officials import Official, Role

from ..errors import HTTP_MESSAGES
from ..extensions import db
from . import blueprint

# (label, endpoint, who): the sections of the console, in the order of the navigation; "admin" entries
# are shown to admins only. A section whose module registers no page yet is left out.
NAV = (
    ("概览", "console.dashboard", "all"),
    ("手机报", "console.digests", "all"),
    ("群发消息", "console.broadcasts", "all"),
    ("维权案件", "console.grievances", "all"),
    ("托管服务", "console.childcare", "all"),
    ("职工培训", "console.training", "all"),
    ("人工服务", "console.tickets_inbox", "all"),
    ("知识库", "console.knowledge", "all"),
    ("审计日志", "console.audit_log", "admin"),
)
PUBLIC = {"console.login", "console.static"}
ROLE_LABELS = {Role.ADMIN: "管理员", Role.OFFICIAL: "工作人员", Role.VIEWER: "只读"}

# Chinese for pydantic's error types, shown next to the field's own label.
PROBLEMS = {
    "missing": "必须填写",
    "string_too_short": "不能为空",
    "string_too_long": "太长了",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "date_from_datetime_parsing": "应为日期",
    "date_parsing": "应为日期，如 2026-07-06",
    "datetime_parsing": "应为日期和时间",
    "datetime_from_date_parsing": "应为日期和时间",
    "greater_than_equal": "太小了",
    "less_than_equal": "太大了",
    "greater_than": "太小了",
    "less_than": "太大了",
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "too_short": "至少要填一项",
    "too_long": "项数太多",
}


@blueprint.before_request
def require_official():
    """Check the form's CSRF token on every POST, and send visitors without a session to the login page."""
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except CsrfInvalid as error:
            raise CSRFError(str(error)) from error
    if request.endpoint in PUBLIC:
        return None
    official = _official()
    if official is None:
        session.pop("official_id", None)
        going = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("console.login", next=going))
    g.actor = Actor.of(db.session, official, ip=request.remote_addr)
    return None


def _official() -> Official | None:
    official_id = session.get("official_id")
    official = db.session.get(Official, official_id) if isinstance(official_id, int) else None
    return official if official is not None and official.active else None


@blueprint.after_request
def no_store(response):
    """Keep pages with personal data out of shared caches and out of frames on other sites."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
    )
    return response


@blueprint.app_template_global()
def csrf_token() -> str:
    return generate_csrf()


@blueprint.app_template_filter("local")
def local_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Show a stored UTC time in China's time; nothing for no time."""
    return as_utc(moment).astimezone(LOCAL_TZ).strftime(pattern) if moment else ""


@blueprint.context_processor
def page_context() -> dict:
    actor: Actor | None = g.get("actor")
    if actor is None:
        return {"nav": (), "actor": None}
    views = current_app.view_functions
    is_admin = actor.official.role == Role.ADMIN
    nav = [
        (label, url_for(endpoint)) for label, endpoint, who in NAV if endpoint in views and (who == "all" or is_admin)
    ]
    # The current section is the one whose first page's path is the longest prefix of this page's.
    current = max((url for _, url in nav if request.path.startswith(url)), key=len, default=None)
    return {"nav": nav, "current": current, "actor": actor, "role_label": ROLE_LABELS.get(actor.official.role, "")}


def back(default: str = "console.dashboard", **values) -> str:
    """Return the console page a form came from, else a default page.

    A form shown again after an error has the URL it was posted to, which may take no GET: then the nearest page
    above it (…/digests/3/articles → …/digests/3).
    """
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith(url_for("console.dashboard")):
        if _shows_a_page(referrer.path):
            return referrer.path + (f"?{referrer.query}" if referrer.query else "")
        parent = referrer.path.rstrip("/").rsplit("/", 1)[0]
        while parent.startswith(url_for("console.dashboard").rstrip("/")) and parent:
            if _shows_a_page(parent):
                return parent
            parent = parent.rsplit("/", 1)[0]
    return url_for(default, **values)


def _shows_a_page(path: str) -> bool:
    try:
        current_app.url_map.bind(request.host).match(path, method="GET")
    except HTTPException:  # no such page, or not for GET (a redirect to add a slash is not a page either)
        return False
    return True


def done(message: str, endpoint: str, **values):
    """Commit, tell the official what happened and show them the page of the result (post/redirect/get)."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def form(model: type[BaseModel], labels: dict[str, str], **extra):
    """Parse the posted form into a pydantic model; blank fields are absent, errors become a Chinese message."""
    data = {key: value.strip() for key, value in request.form.items() if key != "csrf_token" and value.strip()}
    data.update(extra)
    try:
        return model.model_validate(data, strict=False)  # a form posts text: "3" is the number 3 here
    except ValidationError as error:
        raise FormInvalid(describe(error, labels)) from error


def describe(error: ValidationError, labels: dict[str, str]) -> str:
    """Say in Chinese which fields are wrong and how."""
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        problems.append(f"{labels.get(field, field)}{PROBLEMS.get(item['type'], '填写有误')}")
    return "；".join(dict.fromkeys(problems))


class FormInvalid(DomainError):
    """A form whose fields did not parse: the message names them."""

    code = "invalid_form"


@blueprint.errorhandler(DomainError)
def domain_error(error: DomainError):
    """A refused action: back to the page with the reason; a page that cannot be shown: an error page."""
    db.session.rollback()
    if request.method == "POST":
        flash(error.message, "error")
        return redirect(back())
    status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, Forbidden) else 400
    return render_template("console/error.html", message=error.message), status


@blueprint.errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    """An expired or forged form: nothing done, and a way back that works."""
    flash("页面已过期，请重新提交。", "error")
    return redirect(back() if session.get("official_id") else url_for("console.login"))


@blueprint.errorhandler(OperationalError)
@blueprint.errorhandler(RedisConnectionError)
@blueprint.errorhandler(RedisTimeoutError)
def unavailable(error: Exception):
    """The database or Redis is out: a page that says so, not a stack trace; nothing half-done is kept."""
    current_app.logger.error("console: backing service unavailable: %s", error)
    db.session.rollback()
    return render_template("console/error.html", message="服务暂时不可用，请稍后刷新重试。"), 503


# The form's body was not read, so what was typed cannot be shown again: say what fits.
TOO_LARGE = "提交的内容过大，未保存：封面图片请小于2MB，名单表格请小于64KB（可分几次上传），文字请分段提交。"


@blueprint.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """An HTTP error as a console page; a form too large to read goes back to its page with what fits."""
    if error.code == 413 and request.method == "POST":
        flash(TOO_LARGE, "error")
        response = redirect(back())
        response.headers["Connection"] = "close"  # the unread body must not be taken for the browser's next request
        return response
    message = HTTP_MESSAGES.get(error.code or 500, "请求未能完成")
    return render_template("console/error.html", message=message), error.code
