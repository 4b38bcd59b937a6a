"""What a push says and to whom: the message types, the audience, and the workers it selects within a scope."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from .access import Actor
from .childcare import CONFIRMED as CARE_CONFIRMED
from .childcare import CareSession, Program, Registration
from .enterprises import Enterprise
from .errors import Invalid, NotFound
from .notifications import SubscriptionGrant
from .pushes import Push, WorkerTag
from .training import CONFIRMED as CLASS_CONFIRMED
from .training import Enrolment, TrainingClass
from .unions import TradeUnion, subtree_ids
from .workers import Worker, seen_by

# The mini-program's subscribe-message template for union news (text and article pushes): 标题, 摘要, 时间.
NEWS_TEMPLATE = "TPL-union-news"
MESSAGE_TYPES = ("text", "article", "template")
AUDIENCE_KEYS = {
    "everyone",
    "unions",
    "below",
    "industries",
    "enterprise_ids",
    "tags",
    "care_session_id",
    "training_class_id",
}
MAX_LIST = 200
URL_PREFIXES = ("https://", "http://")


def _text(value, field: str, most: int, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not value.strip() and not empty) or len(value) > most:
        raise Invalid(f"{field} 应为不超过 {most} 个字的文字", field=field)
    if any(ord(c) < 32 and c != "\n" for c in value):
        raise Invalid(f"{field} 含有控制字符", field=field)
    return value.strip()


def _url(value, field: str, *, required: bool) -> str | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value.startswith(URL_PREFIXES) or len(value) > 500 or " " in value:
        raise Invalid(f"{field} 应为 http(s) 链接", field=field)
    return value


def validate_message(message) -> dict:
    """Return a clean copy of a message: {"type": "text"|"article"|"template", …} or raise Invalid."""
    if not isinstance(message, dict) or message.get("type") not in MESSAGE_TYPES:
        raise Invalid("消息类型应为 text、article 或 template", field="message.type")
    kind = message["type"]
    allowed = {
        "text": {"type", "text"},
        "article": {"type", "title", "description", "url", "picurl", "thumb_media_id"},
        "template": {"type", "template_id", "data", "page"},
    }[kind]
    unknown = sorted(set(message) - allowed)
    if unknown:
        raise Invalid(f"消息中有未知字段：{', '.join(unknown)}", field="message")
    if kind == "text":
        return {"type": "text", "text": _text(message.get("text"), "message.text", 600)}
    if kind == "article":
        clean = {
            "type": "article",
            "title": _text(message.get("title"), "message.title", 64),
            "description": _text(message.get("description", ""), "message.description", 120, empty=True),
            "url": _url(message.get("url"), "message.url", required=True),
            "picurl": _url(message.get("picurl"), "message.picurl", required=False),
        }
        if message.get("thumb_media_id"):  # a cover uploaded to WeChat: followers get a real 图文 (draft + mpnews)
            clean["thumb_media_id"] = _text(message["thumb_media_id"], "message.thumb_media_id", 128)
        return clean
    data = message.get("data")
    if not isinstance(data, dict) or not data or len(data) > 10:
        raise Invalid("模板消息的 data 应为 1 到 10 个字段", field="message.data")
    fields = {}
    for key, value in data.items():
        raw = value.get("value") if isinstance(value, dict) else value
        if not isinstance(key, str) or not key.isascii() or not key.isidentifier() or len(key) > 32:
            raise Invalid("模板字段名应为英文字母和数字", field="message.data")
        fields[key] = {"value": _text(raw, f"message.data.{key}", 40)}
    page = message.get("page")
    if page is not None and (not isinstance(page, str) or len(page) > 200 or not page.strip()):
        raise Invalid("page 应为小程序页面路径", field="message.page")
    return {
        "type": "template",
        "template_id": _text(message.get("template_id"), "message.template_id", 64),
        "data": fields,
        "page": page,
    }


def _ids(value, field: str) -> list[int]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST:
        raise Invalid(f"{field} 应为 1 到 {MAX_LIST} 个编号", field=field)
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in value):
        raise Invalid(f"{field} 应为编号", field=field)
    return sorted(set(value))


def _words(value, field: str, most: int) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST:
        raise Invalid(f"{field} 应为 1 到 {MAX_LIST} 项", field=field)
    return sorted({_text(v, field, most) for v in value})


def validate_audience(session: Session, scope: frozenset[int] | set[int], audience) -> dict:
    """Return a clean audience whose unions, enterprises, sessions and classes are all in scope, or raise."""
    if not isinstance(audience, dict):
        raise Invalid("请选择发送对象", field="audience")
    unknown = sorted(set(audience) - AUDIENCE_KEYS)
    if unknown:
        raise Invalid(f"发送对象中有未知条件：{', '.join(unknown)}", field="audience")
    clean: dict = {}
    if audience.get("everyone") is True:
        clean["everyone"] = True
    if audience.get("unions") is not None:
        clean["unions"] = _ids(audience["unions"], "audience.unions")
        clean["below"] = audience.get("below", True) is not False
        for union_id in clean["unions"]:
            if union_id not in scope or session.get(TradeUnion, union_id) is None:
                raise NotFound("未找到该工会")
    if audience.get("industries") is not None:
        clean["industries"] = _words(audience["industries"], "audience.industries", 30)
    if audience.get("enterprise_ids") is not None:
        clean["enterprise_ids"] = _ids(audience["enterprise_ids"], "audience.enterprise_ids")
        for enterprise_id in clean["enterprise_ids"]:
            enterprise = session.get(Enterprise, enterprise_id)
            if enterprise is None or not enterprise.scope_union_ids & set(scope):
                raise NotFound("未找到该企业")
    if audience.get("tags") is not None:
        clean["tags"] = _words(audience["tags"], "audience.tags", 30)
    if audience.get("care_session_id") is not None:
        [care_id] = _ids([audience["care_session_id"]], "audience.care_session_id")
        care = session.get(CareSession, care_id)
        if care is None or care.program.union_id not in scope:
            raise NotFound("未找到该托管班次")
        clean["care_session_id"] = care_id
    if audience.get("training_class_id") is not None:
        [class_id] = _ids([audience["training_class_id"]], "audience.training_class_id")
        training = session.get(TrainingClass, class_id)
        if training is None or training.union_id not in scope:
            raise NotFound("未找到该培训班")
        clean["training_class_id"] = class_id
    criteria = set(clean) - {"everyone", "below"}
    if not criteria and "everyone" not in clean:
        raise Invalid("请选择发送对象：全部职工，或按工会、行业、企业、标签、托管班次、培训班选择", field="audience")
    if criteria and "everyone" in clean:
        raise Invalid("“全部职工”不能与其他条件同时使用", field="audience")
    return clean


@dataclass(frozen=True)
class Choices:
    """What an official may pick an audience from: the unions, industries, enterprises, tags, sessions, classes."""

    unions: list[TradeUnion]
    industries: list[str]
    enterprises: list[Enterprise]
    tags: list[str]
    care_sessions: list[CareSession]
    training_classes: list[TrainingClass]


def choices(session: Session, actor: Actor) -> Choices:
    """List what an audience may name within the official's scope (validate_audience accepts exactly these)."""
    scope = set(actor.union_ids)
    in_scope = or_(Enterprise.union_id.in_(scope), Enterprise.local_union_id.in_(scope))
    enterprises = list(session.scalars(select(Enterprise).where(in_scope).order_by(Enterprise.id)))
    tags = select(WorkerTag.tag).join(Worker, Worker.id == WorkerTag.worker_id).where(seen_by(scope)).distinct()
    sessions = select(CareSession).join(Program).where(Program.union_id.in_(scope))
    classes = select(TrainingClass).where(TrainingClass.union_id.in_(scope), TrainingClass.cancelled_at.is_(None))
    return Choices(
        unions=list(session.scalars(select(TradeUnion).where(TradeUnion.id.in_(scope)).order_by(TradeUnion.id))),
        industries=sorted({e.industry for e in enterprises if e.industry}),
        enterprises=enterprises,
        tags=sorted(session.scalars(tags)),
        care_sessions=list(session.scalars(sessions.order_by(CareSession.starts_on.desc(), CareSession.id))),
        training_classes=list(session.scalars(classes.order_by(TrainingClass.starts_on.desc(), TrainingClass.id))),
    )


def recipients(session: Session, push: Push, *columns) -> Select:
    """Select the workers a push reaches (their ids, or the columns given): its audience, always in its union's scope.

    Criteria of different kinds narrow each other (AND); the values of one kind widen it (OR).
    """
    scope = subtree_ids(session, push.union_id)
    in_scope = seen_by(scope)
    if push.union.parent_id is None:  # the roots speak to everyone, as workers.reach() has it: the unplaced too
        in_scope = or_(in_scope, and_(Worker.union_id.is_(None), Worker.employer_id.is_(None)))
    query = select(*(columns or (Worker.id,))).where(in_scope)
    audience = push.audience
    if audience.get("unions"):
        chosen: set[int] = set()
        for union_id in audience["unions"]:
            chosen |= subtree_ids(session, union_id) if audience.get("below", True) else {union_id}
        query = query.where(seen_by(chosen & scope))
    if audience.get("industries"):
        query = query.where(
            Worker.employer_id.in_(select(Enterprise.id).where(Enterprise.industry.in_(audience["industries"])))
        )
    if audience.get("enterprise_ids"):
        query = query.where(Worker.employer_id.in_(audience["enterprise_ids"]))
    if audience.get("tags"):
        query = query.where(Worker.id.in_(select(WorkerTag.worker_id).where(WorkerTag.tag.in_(audience["tags"]))))
    if audience.get("care_session_id"):
        parents = select(Registration.guardian_id).where(
            Registration.session_id == audience["care_session_id"], Registration.status == CARE_CONFIRMED
        )
        query = query.where(Worker.id.in_(parents))
    if audience.get("training_class_id"):
        attendees = select(Enrolment.worker_id).where(
            Enrolment.class_id == audience["training_class_id"], Enrolment.status == CLASS_CONFIRMED
        )
        query = query.where(Worker.id.in_(attendees))
    return query


def follower():
    """Condition: the worker follows the service account (mass messages reach them)."""
    return and_(Worker.openid.is_not(None), Worker.subscribed.is_(True))


def granted(template_id: str):
    """Condition: the worker uses the mini-program and allowed a subscribe message of this template."""
    grant = exists(
        select(SubscriptionGrant.id).where(
            SubscriptionGrant.worker_id == Worker.id,
            SubscriptionGrant.template_id == template_id,
            SubscriptionGrant.remaining > 0,
        )
    )
    return and_(Worker.miniapp_openid.is_not(None), grant)


def massable(message: dict) -> bool:
    """Tell whether a message can go out by mass send (text and articles can; templates cannot)."""
    return message["type"] in ("text", "article")


def subscribe_message(push: Push) -> tuple[str, dict, str]:
    """Return (template_id, data, page) of the subscribe message that carries a push."""
    message = push.message
    if message["type"] == "template":
        return message["template_id"], message["data"], message.get("page") or "pages/index/index"
    summary = message.get("text") or message.get("description") or message.get("title") or push.title
    data = {"thing1": {"value": push.title[:20]}, "thing2": {"value": summary[:20]}}
    if message["type"] == "article":
        return NEWS_TEMPLATE, data, f"pages/web/index?url={quote(message['url'], safe='')}"
    return NEWS_TEMPLATE, data, "pages/index/index"


def inbox_text(push: Push) -> str:
    """Return the text a push shows in the mini-program's inbox."""
    message = push.message
    if message["type"] == "text":
        return message["text"]
    if message["type"] == "article":
        return "\n".join(part for part in (message.get("description"), message["url"]) if part)
    return "\n".join(str(field["value"]) for field in message["data"].values())


def mass_text(push: Push) -> str:
    """Return the text of a mass message: the text itself, or an article as its summary and a link."""
    message = push.message
    if message["type"] == "text":
        return message["text"]
    summary = f"\n{message['description']}" if message.get("description") else ""
    return f'【{message["title"]}】{summary}\n<a href="{message["url"]}">阅读全文</a>'
