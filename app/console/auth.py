"""Logging in and out of the console with an official's account."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, session, url_for

from models import audit
from models.base import LOCAL_TZ
from models.errors import AccountLocked, AuthFailed
from models.officials import authenticate

from ..extensions import db
from ..http import limit_attempts
from . import blueprint

# Per address, on top of the per-account lock in models.officials: guessing across many accounts is slowed too.
MOST_ATTEMPTS, WINDOW_SECONDS = 30, 600


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; check the account and open a session."""
    if request.method == "GET":
        return render_template("console/login.html", username="", next=_next())
    limit_attempts(f"console-login:{request.remote_addr}", MOST_ATTEMPTS, WINDOW_SECONDS)
    username = request.form.get("username", "").strip()
    try:
        official = authenticate(db.session, username, request.form.get("password", ""))
    except (AuthFailed, AccountLocked) as error:
        audit.record(db.session, actor=username, action="login_failed", object_type="official", ip=request.remote_addr)
        db.session.commit()  # keep the failure count and the audit entry
        message = "用户名或密码错误" if isinstance(error, AuthFailed) else _locked(error)
        return render_template("console/login.html", username=username, next=_next(), error=message), 401
    audit.record(
        db.session,
        actor=official,
        action="login",
        object_type="official",
        object_id=official.id,
        ip=request.remote_addr,
    )
    db.session.commit()
    session.clear()  # a new session for the new login: nothing carried over from before
    session["official_id"] = official.id
    session.permanent = False
    return redirect(_next() or url_for("console.dashboard"))


@blueprint.post("/logout")
def logout():
    """End the session."""
    session.clear()
    flash("您已退出登录。", "success")
    return redirect(url_for("console.login"))


def _next() -> str | None:
    """Return the console page to go to after logging in, refusing anything that leaves the console."""
    target = request.values.get("next") or ""
    prefix = url_for("console.dashboard")
    if target.startswith(prefix) and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _locked(error: AccountLocked) -> str:
    until = error.detail.get("locked_until")
    if not until:
        return AccountLocked.message
    return f"密码错误次数过多，账号已临时锁定至 {datetime.fromisoformat(until).astimezone(LOCAL_TZ):%H:%M}，请稍后再试"
