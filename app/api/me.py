"""The logged-in worker's own record."""

from __future__ import annotations

from flask import g

from models.errors import Invalid
from models.worker_sessions import bind_phone, update_profile

from ..extensions import db
from . import blueprint, weixin
from .endpoints import endpoint
from .schemas import PhoneIn, Profile, ProfileIn


@blueprint.get("/me")
@endpoint(Profile)
def me() -> Profile:
    """Show the worker's profile: name, masked phone, employer, union and membership."""
    return Profile.of(g.worker)


@blueprint.patch("/me")
@endpoint(Profile, body=ProfileIn)
def update_me(body: ProfileIn) -> Profile:
    """Change the worker's name."""
    worker = update_profile(db.session, g.worker, name=body.name)
    db.session.commit()
    return Profile.of(worker)


@blueprint.post("/me/phone")
@endpoint(Profile, body=PhoneIn, errors=(400, 409, 429, 503))
def bind_my_phone(body: PhoneIn) -> Profile:
    """Bind the phone number WeChat vouches for; a record an official made for it becomes the worker's."""
    answer = weixin.call("wxa.get_phone_number", body.code, refusals=weixin.PHONE_REFUSALS)
    info = answer["phone_info"]
    if info.get("countryCode", "86") != "86":
        raise Invalid("目前仅支持中国大陆手机号", field="phone")
    worker = bind_phone(db.session, g.worker, info["purePhoneNumber"])
    db.session.commit()
    return Profile.of(worker)
