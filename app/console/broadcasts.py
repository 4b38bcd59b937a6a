"""Console pages: broadcasts — compose for an audience in scope, test on oneself, send or schedule, follow the count."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from models import push_ledger as pushes
from models.base import LOCAL_TZ, as_utc
from models.errors import DomainError, Invalid
from models.push_audience import choices
from models.pushes import (
    BROADCAST,
    CANCELLED,
    DONE,
    DRAFT,
    EXPANDING,
    PAUSED,
    PUSH_STATUS_LABELS,
    SCHEDULED,
    SENDING,
)

from ..extensions import db
from ..push.preview import send_test
from ..push.tick import send_now
from . import blueprint
from .broadcast_forms import KINDS, audience_in_words, in_words, read_broadcast
from .my_wechat import previews
from .web import done

STATUSES = (
    (None, "全部"),
    (DRAFT, "草稿"),
    (SCHEDULED, "已定时"),
    (SENDING, "发送中"),
    (DONE, "已完成"),
    (CANCELLED, "已取消"),
)
BADGES = {DRAFT: "", SCHEDULED: "warn", EXPANDING: "warn", SENDING: "warn", DONE: "ok", CANCELLED: "bad"}
CHANNELS = {"mass": "公众号群发", "subscribe": "小程序订阅消息", "inbox": "小程序消息中心"}
KIND_LABELS = {BROADCAST: "群发", "digest": "手机报"}
REFRESH_SECONDS = 5


@blueprint.get("/broadcasts")
def broadcasts():
    """List the pushes of the official's scope, newest first: broadcasts and the 手机报's."""
    status = request.args.get("status") or None
    if status not in dict(STATUSES):
        raise Invalid("未知的状态")
    rows = pushes.list_pushes(db.session, g.actor, status=status)
    # Counted only for those on their way: the others' numbers no longer move.
    moving = {p.id: pushes.progress(db.session, p.id) for p in rows if p.status in (SENDING, PAUSED)}
    return render_template(
        "console/broadcasts/list.html",
        pushes=rows,
        moving=moving,
        status=status,
        statuses=STATUSES,
        labels=PUSH_STATUS_LABELS,
        badges=BADGES,
        kinds=KIND_LABELS,
    )


@blueprint.get("/broadcasts/new")
def new_broadcast():
    """Show the compose form with the audience's choices in the official's scope."""
    return _compose(MultiDict({"type": "text", "audience": "filter", "below": "1"}))


@blueprint.post("/broadcasts")
def create_broadcast():
    """Keep the composed message as a draft; it is sent from its page."""
    try:
        body = read_broadcast()
        with in_words():
            push = pushes.create_push(db.session, g.actor, kind=BROADCAST, **body.model_dump())
    except DomainError as error:  # shown again with what was typed, rather than lose a long message
        db.session.rollback()
        flash(error.message, "error")
        return _compose(request.form), 400
    return done("已保存为草稿。请先发送预览给自己看看，再发送。", "console.broadcast_page", push_id=push.id)


def _compose(values: MultiDict) -> str:
    return render_template(
        "console/broadcasts/new.html", choices=choices(db.session, g.actor), kinds=KINDS, values=values
    )


@blueprint.get("/broadcasts/<id:push_id>")
def broadcast_page(push_id: int):
    """Show a push: its message, audience, and progress; refreshing itself while it is being sent."""
    push = pushes.get_push(db.session, g.actor, push_id)
    progress = pushes.progress(db.session, push.id)
    counts = progress["counts"]
    return render_template(
        "console/broadcasts/detail.html",
        push=push,
        progress=progress,
        settled=counts["sent"] + counts["skipped"] + counts["failed"],
        audience=audience_in_words(db.session, push.audience),
        labels=PUSH_STATUS_LABELS,
        badges=BADGES,
        kinds=KIND_LABELS,
        channels=CHANNELS,
        refresh=REFRESH_SECONDS if push.status in (EXPANDING, SENDING) else None,
        can_send=push.kind == BROADCAST and push.status in (DRAFT, SCHEDULED),
        can_cancel=push.kind == BROADCAST and push.status in pushes.CANCELLABLE,
        send_at=as_utc(push.send_at).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M") if push.send_at else "",
        bound=bool(g.actor.official.wechat_openid),
    )


@blueprint.post("/broadcasts/<id:push_id>/test")
def test_broadcast(push_id: int):
    """Send the message to the official's own WeChat first, as it will look."""
    with previews():
        send_test(db.session, g.actor, push_id)
    flash("预览已发送到您的微信，请查看。", "success")
    return redirect(url_for("console.broadcast_page", push_id=push_id))


@blueprint.post("/broadcasts/<id:push_id>/send")
def send_broadcast(push_id: int):
    """Send now: the recipients are listed and the sending starts at once."""
    send_now(current_app._get_current_object(), g.actor, push_id)
    flash("已开始发送，本页会自动刷新进度。", "success")
    return redirect(url_for("console.broadcast_page", push_id=push_id))


@blueprint.post("/broadcasts/<id:push_id>/schedule")
def schedule_broadcast(push_id: int):
    """Send at a time (China time); it can be moved or cancelled until it starts."""
    text = request.form.get("send_at", "").strip()
    try:
        moment = datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)
    except ValueError as error:
        raise Invalid("发送时间应为日期和时间，如 2026-11-27 09:00") from error
    push = pushes.schedule_push(db.session, g.actor, push_id, moment)
    when = as_utc(push.send_at).astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")
    return done(f"已定时，将于{when}发送。", "console.broadcast_page", push_id=push_id)


@blueprint.post("/broadcasts/<id:push_id>/cancel")
def cancel_broadcast(push_id: int):
    """Stop the push: nobody not reached yet gets it; what is on its way cannot be called back."""
    pushes.cancel_push(db.session, g.actor, push_id)
    return done("已取消，尚未收到的职工不会再收到。", "console.broadcast_page", push_id=push_id)
