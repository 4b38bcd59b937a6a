"""Menu-style training in the chat: sign up for an open class, order a topic (点菜), say what else to learn."""

from __future__ import annotations

import re
from datetime import date

from models.errors import DomainError
from models.training import CANCELLED, CONFIRMED, WAITLISTED, Topic, TopicRequest, TrainingClass
from models.training_enrolments import enrol, my_enrolments, open_classes_for, waitlist_position
from models.training_menu import menu_for, normalize, order_counts, order_topic, ordered_by, request_topic
from models.workers import Worker, worker_for_openid

from .dialogue import Dialogue, Reprompt, Step
from .messages import TextReply
from .surveys import invitation

WISH_HINT = "想学菜单上没有的内容，回复“我想学……”，例如“我想学电工安全操作”。"
# 我想学X, 点菜：X, 我要点菜 X …; else 开个X的培训, 办一期X培训 …
_WISH = re.compile(
    r"(?:(?:想要|想|要|希望|打算)(?:学一下|学一学|学点儿?|学习|学)|点个菜|点菜|点个课|点一个)[：:，,\s]*(?P<what>.+)"
)
_OPEN = re.compile(
    r"(?:开|办|加|增加|增设|安排|组织|定制)(?:个|一个|一期|一次|一门)?(?P<what>[^，,。？?！!\s]{2,20}?)的?"
    r"(?:培训|课程|课|班|专场)"
)
_GENERIC = {"东西", "点东西", "什么", "其他", "技术", "技能", "本事", "手艺", "一点", "新课", "内容", "没有"}


def wish_in(text: str) -> str | None:
    """Return what a message says the worker wants to learn (我想学电工 → 电工), or None."""
    match = _WISH.search(text) or _OPEN.search(text)
    if match is None:
        return None
    what = re.sub(r"^(?:想要|想|要|希望|的)", "", match.group("what").strip())
    what = re.split(r"[，,。！？!?\s]", what)[0].rstrip("吧呢啊哈")
    key = normalize(what)
    return what if len(key) >= 2 and key not in _GENERIC else None


def _who(context, incoming) -> dict:
    return {"openid": incoming.openid, "channel": incoming.channel}


def _worker(context, slots: dict) -> Worker:
    return worker_for_openid(context.session, slots["openid"], channel=slots["channel"])


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _dates(training: TrainingClass) -> str:
    starts, ends = training.starts_on, training.ends_on
    if starts == ends:
        return _day(starts)
    return f"{_day(starts)}至{ends.day}日" if ends.month == starts.month else f"{_day(starts)}至{_day(ends)}"


def _class_line(training: TrainingClass, status: str | None) -> str:
    if status is not None:
        places = "您已报名" if status == CONFIRMED else "您在候补"
    else:
        places = f"余{training.open_left}个名额" if training.open_left else "已满，可排候补"
    return f"报名｜{training.title}（{_dates(training)}，{training.place}，{training.hours}课时，{places}）"


def _topic_line(topic: Topic, ordered: bool) -> str:
    return f"点菜｜{topic.title}（{topic.days}天{topic.hours}课时{'，您已点过' if ordered else ''}）"


def _choices(context, slots: dict) -> list[tuple[str, str]]:
    session, worker = context.session, _worker(context, slots)
    mine = {e.class_id: e.status for e in my_enrolments(session, worker) if e.status != CANCELLED}
    ordered = ordered_by(session, worker)
    classes = [(_class_line(c, mine.get(c.id)), f"class:{c.id}") for c in open_classes_for(session, worker)]
    return classes + [(_topic_line(t, t.id in ordered), f"topic:{t.id}") for t in menu_for(session, worker)]


def _other(text: str, *_) -> dict:
    """Read an answer that is none of the menu's choices: a wish, else ask again."""
    wish = wish_in(text)
    if wish is not None:
        return {"label": f"提需求｜想学“{wish}”", "value": f"wish:{wish}"}
    if re.search("问卷|调查", text):
        raise Reprompt("要填写问卷，请先回复“取消”退出点菜报名，再回复“填问卷”。")
    raise Reprompt("请回复选项前的数字，例如“1”。" + WISH_HINT)


def _precheck(context, incoming) -> TextReply | None:
    worker = worker_for_openid(context.session, incoming.openid, channel=incoming.channel)
    if menu_for(context.session, worker) or open_classes_for(context.session, worker):
        return None
    text = "目前还没有面向您的培训菜单和开班计划。" + WISH_HINT + "工会汇总大家的需求后安排“上菜”。"
    return TextReply("\n\n".join(filter(None, [text, invitation(context.session, worker)])))


def _enrolled(context, worker: Worker, class_id: int) -> str:
    enrolment = enrol(context.session, worker=worker, class_id=class_id)
    training = enrolment.training_class
    where = f"{training.title}，{_dates(training)}，{training.hours}课时，地点：{training.place}"
    if enrolment.status == WAITLISTED:
        position = waitlist_position(context.session, enrolment)
        return f"名额已满，您已排在候补第{position}位：{where}。有人退出时按顺序递补，递补成功会通知您。"
    return f"报名成功！{where}。开班前一天会提醒您，请按时到场签到。"


def _ordered(context, worker: Worker, topic_id: int) -> str:
    order, new = order_topic(context.session, worker=worker, topic_id=topic_id)
    count = order_counts(context.session, [topic_id]).get(topic_id, 0)
    if not new:
        return f"您之前已点过“{order.topic.title}”，无需重复点。目前共有{count}位职工点了这道菜。"
    return (
        f"点菜成功！您点了“{order.topic.title}”，目前共有{count}位职工点了这道菜。"
        "工会按大家点菜的多少请专家开班，开班后回复“培训”即可报名。"
    )


def recorded(request: TopicRequest) -> str:
    """Say that a wish was recorded, and whether the menu has it already."""
    if request.topic is not None:
        return (
            f"已记下您想学“{request.text}”。菜单上已有“{request.topic.title}”，已计入这道菜的需求；"
            "回复“培训”可以直接点菜或报名。"
        )
    return f"已记下您想学“{request.text}”。菜单上暂时还没有这项内容，工会汇总职工的需求，想学的人多了就请专家开班。"


def _commit(slots: dict, context, incoming) -> TextReply:
    worker = _worker(context, slots)
    kind, _, value = slots["pick"]["value"].partition(":")
    try:
        if kind == "class":
            done = _enrolled(context, worker, int(value))
        elif kind == "topic":
            done = _ordered(context, worker, int(value))
        else:
            done = recorded(request_topic(context.session, worker=worker, text=value))
    except DomainError as refusal:
        return TextReply(f"没有办成：{refusal.message}\n如有疑问请回复“人工”。")
    return TextReply("\n\n".join(filter(None, [done, invitation(context.session, worker)])))


def _read_wish(text: str, *_) -> str:
    wish = wish_in(text) or text.strip()
    key = normalize(wish)
    if not 2 <= len(wish) <= 100 or len(key) < 2 or key in _GENERIC:
        raise Reprompt("请具体说说想学什么，例如“电工安全操作”“叉车司机考证”（100字以内）。")
    return wish


def _begin_request(context, incoming) -> dict:
    wish = wish_in(incoming.text or "")
    return {**_who(context, incoming), **({"wish": wish} if wish else {})}


def _request(slots: dict, context, incoming) -> TextReply:
    worker = _worker(context, slots)
    try:
        request = request_topic(context.session, worker=worker, text=slots["wish"])
    except DomainError as refusal:
        return TextReply(f"没有记录成功：{refusal.message}")
    return TextReply("\n\n".join(filter(None, [recorded(request), invitation(context.session, worker)])))


MENU = Dialogue(
    "training.menu",
    "培训点菜报名",
    [
        Step(
            "pick",
            "选择",
            "请回复序号：报名开班的培训，或给想学的科目“点菜”（点的人多了，工会就请专家开班）。培训免费。",
            _other,
            choices=_choices,
            note=lambda *_: WISH_HINT,
        )
    ],
    _commit,
    _precheck,
    begin=_who,
)
REQUEST = Dialogue(
    "training.request",
    "培训需求",
    [Step("wish", "想学的内容", "您想学什么内容？请具体说说，例如“电工安全操作”“叉车司机考证”。", _read_wish)],
    _request,
    begin=_begin_request,
)
