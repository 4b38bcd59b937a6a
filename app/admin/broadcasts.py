"""Officials' broadcasts: draft, test send to oneself, schedule or send now, cancel, follow the progress."""

from __future__ import annotations

from flask import current_app, g, request

from models import push_ledger as pushes
from models.errors import Invalid
from models.pushes import BROADCAST, DIGEST, PUSH_STATUS_LABELS

from ..extensions import db
from ..push.preview import send_test
from ..push.tick import send_now
from . import blueprint
from . import broadcast_schemas as out
from .broadcast_schemas import BroadcastIn, ScheduleIn, WeChatIn
from .context import login_required, payload


@blueprint.get("/broadcasts")
@login_required
def list_broadcasts():
    """List the pushes of the unions in scope, newest first (?status=, ?kind=broadcast|digest)."""
    status, kind = request.args.get("status") or None, request.args.get("kind") or None
    if status is not None and status not in PUSH_STATUS_LABELS:
        raise Invalid("status 参数不正确", field="status")
    if kind is not None and kind not in (BROADCAST, DIGEST):
        raise Invalid("kind 参数应为 broadcast 或 digest", field="kind")
    rows = pushes.list_pushes(db.session, g.actor, status=status, kind=kind)
    return {"broadcasts": [out.broadcast(row) for row in rows]}


@blueprint.post("/broadcasts")
@login_required
def create_broadcast():
    """Draft a text, article or template message to an audience within the official's scope."""
    body = payload(BroadcastIn)
    push = pushes.create_push(db.session, g.actor, kind=BROADCAST, **body.model_dump())
    db.session.commit()
    return out.broadcast(push), 201


@blueprint.get("/broadcasts/<id:push_id>")
@login_required
def broadcast_detail(push_id: int):
    """A push with its progress: counts by status and channel, skipped and failed by reason."""
    push = pushes.get_push(db.session, g.actor, push_id)
    return out.broadcast(push, pushes.progress(db.session, push.id))


@blueprint.get("/broadcasts/<id:push_id>/progress")
@login_required
def broadcast_progress(push_id: int):
    """Only the progress, for polling while it is sent."""
    push = pushes.get_push(db.session, g.actor, push_id)
    return pushes.progress(db.session, push.id)


@blueprint.post("/broadcasts/<id:push_id>/test")
@login_required
def test_broadcast(push_id: int):
    """Send the push to the official's own WeChat first, as it will look (a customer-service message)."""
    openid, channel = send_test(db.session, g.actor, push_id)
    return {"sent_to": openid[:6] + "…", "channel": channel}


@blueprint.post("/broadcasts/<id:push_id>/schedule")
@login_required
def schedule_broadcast(push_id: int):
    """Send a draft at a time, the one kept with the draft by default (it can be moved until it starts)."""
    send_at = payload(ScheduleIn).send_at or pushes.get_push(db.session, g.actor, push_id).send_at
    if send_at is None:
        raise Invalid("请给出发送时间 send_at", field="send_at")
    push = pushes.schedule_push(db.session, g.actor, push_id, send_at)
    db.session.commit()
    return out.broadcast(push)


@blueprint.post("/broadcasts/<id:push_id>/send")
@login_required
def send_broadcast(push_id: int):
    """Send a draft (or a scheduled push) now."""
    push = send_now(current_app._get_current_object(), g.actor, push_id)
    return out.broadcast(push), 202


@blueprint.post("/broadcasts/<id:push_id>/cancel")
@login_required
def cancel_broadcast(push_id: int):
    """Stop a push: nobody not reached yet gets it; what is on its way cannot be called back."""
    push = pushes.cancel_push(db.session, g.actor, push_id)
    db.session.commit()
    return out.broadcast(push, pushes.progress(db.session, push.id))


@blueprint.put("/me/wechat")
@login_required
def bind_my_wechat():
    """Bind (or with null unbind) the official's own WeChat openid, where test sends go."""
    official = pushes.bind_wechat(db.session, g.actor, payload(WeChatIn).openid)
    db.session.commit()
    return {"wechat_openid": official.wechat_openid}
