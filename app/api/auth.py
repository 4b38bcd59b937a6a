"""Logging in with wx.login's code, and out."""

from __future__ import annotations

from flask import g
from sqlalchemy.exc import IntegrityError

from models.base import as_utc
from models.worker_sessions import end_session, miniapp_login

from ..extensions import db
from . import blueprint, weixin
from .endpoints import endpoint
from .schemas import LoginIn, LoginOut, Profile


@blueprint.post("/login")
@endpoint(LoginOut, body=LoginIn, auth=False, errors=(400, 401, 403, 429, 503), tag="session")
def login(body: LoginIn) -> LoginOut:
    """Exchange a wx.login code for a bearer token; the worker is created on first login."""
    answer = weixin.call("wxa.code_to_session", body.code, refusals=weixin.LOGIN_REFUSALS)
    identity = (answer["openid"], answer.get("unionid"), answer["session_key"])
    try:
        token, row = miniapp_login(db.session, *identity)
        db.session.commit()
    except IntegrityError:
        # Two first logins of the same worker at once: the other one created the record, use it.
        db.session.rollback()
        token, row = miniapp_login(db.session, *identity)
        db.session.commit()
    return LoginOut(token=token, expires_at=as_utc(row.expires_at), worker=Profile.of(row.worker))


@blueprint.post("/logout")
@endpoint(None, tag="session")
def logout() -> None:
    """Revoke the bearer token of this request."""
    end_session(db.session, g.token)
    db.session.commit()
