"""A conversation: go on with the worker's dialogue, or understand a new request and answer it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.base import utcnow
from models.programs import open_sessions
from models.tickets import open_ticket

from .answers import escape_word, yes_or_no
from .childcare import REGISTER, describe
from .dialogue import Dialogue, Reprompt, shown
from .dialogues import DIALOGUES as REQUESTS
from .digests import LATEST as DIGEST_LATEST
from .digests import latest as latest_digest
from .grievances import FILE as GRIEVANCE
from .grievances import STATUS as GRIEVANCE_STATUS
from .grievances import command, status
from .knowledge import THRESHOLD, Entry, Hit, KnowledgeBase, live
from .messages import Incoming, Reply, TextReply
from .nlu import classify, default_classifier
from .state import DialogueState, StoreUnavailable
from .surveys import INTENT as SURVEY
from .surveys import next_survey, survey_dialogue
from .texts import COMING, FALLBACK, HELP, NO_ANSWER, STORE_DOWN, STORE_LOST
from .training import MENU, REQUEST

log = logging.getLogger(__name__)

DIALOGUES = {**REQUESTS, **{d.name: d for d in (REGISTER, MENU, REQUEST, GRIEVANCE)}}
KNOWLEDGE_INTENTS = {
    "legal.consult",
    "childcare.info",
    "service.counseling",
    "service.clinic",
    "service.stations",
    "service.hardship",
}


def warm_up(session: Session | None = None) -> None:
    """Train the classifier and index the knowledge base now rather than on a worker's first message."""
    default_classifier()
    live.shipped()  # builds jieba's dictionary too; the index of an empty table
    if session is not None:
        live.current(session)


def knowledge(session: Session) -> KnowledgeBase:
    """Return the index of the knowledge base in the database, as of a few seconds ago at most."""
    return live.current(session)


def converse(incoming: Incoming, context) -> Reply:
    """Answer a worker's text: one message per worker at a time, the dialogue state in the store."""
    try:
        with context.store.locked(incoming.openid):
            return _converse(incoming, context)
    except StoreUnavailable:
        log.warning("dialogue store unavailable for %s", incoming.openid)
        return _stateless(incoming, context)


def dialogue_named(name: str, context) -> Dialogue | None:
    """Return the dialogue a state names: one of DIALOGUES, or a survey's, built from the database."""
    return DIALOGUES.get(name) or survey_dialogue(context.session, name)


def start(intent: str, incoming: Incoming, context) -> Reply:
    """Begin a dialogue, open a handoff ticket or list the cases, for a request understood otherwise (a menu click)."""
    if intent == "human.handoff":
        return handoff(incoming, context, incoming.text or "职工请求人工服务")
    if intent == GRIEVANCE_STATUS:
        return status(incoming, context)
    if intent == DIGEST_LATEST:
        return latest_digest(incoming, context)
    dialogue = next_survey(context, incoming) if intent == SURVEY else DIALOGUES[intent]
    if not isinstance(dialogue, Dialogue):
        return dialogue
    answer = dialogue.precheck(context, incoming) if dialogue.precheck else None
    if answer is not None:
        return answer
    return _begin(dialogue, incoming, context)


def _begin(dialogue: Dialogue, incoming: Incoming, context) -> Reply:
    """Save a new state with the slots the dialogue begins with; ask the first step they leave open."""
    slots = dialogue.begin(context, incoming) if dialogue.begin else {}
    state = DialogueState(dialogue.name, slots=slots)
    state.step = next((i for i, step in enumerate(dialogue.steps) if step.slot not in slots), len(dialogue.steps))
    state.confirming = state.step == len(dialogue.steps)
    context.store.save(incoming.openid, state)
    return TextReply(dialogue.confirmation(slots) if state.confirming else dialogue.ask(state.step, context, slots))


def handoff(incoming: Incoming, context, summary: str) -> Reply:
    """Open a ticket that an official answers; the answer reaches the worker as a customer-service message."""
    ticket = open_ticket(
        context.session, openid=incoming.openid, channel=incoming.channel, kind="handoff", summary=summary
    )
    return TextReply(
        f"已为您转接工会工作人员（编号 {ticket.number}），回复会直接发到这里。工作时间：周一至周五 8:30-17:30。"
    )


def _converse(incoming: Incoming, context) -> Reply:
    store = context.store
    state = store.load(incoming.openid)
    if state is None:
        expired = store.expired(incoming.openid)
        gone = dialogue_named(expired, context) if expired else None
        if gone is not None:
            title = gone.title
            return TextReply(
                f"您的“{title}”超过30分钟没有回复，已自动取消，刚才的消息没有被记录。如需继续，请回复“{title}”重新开始。"
            )
        return _route(incoming, context)
    dialogue = dialogue_named(state.dialogue, context)
    if dialogue is None:  # a survey deleted meanwhile
        store.clear(incoming.openid)
        return _route(incoming, context)
    return _step(dialogue, state, incoming, context)


def _step(dialogue: Dialogue, state: DialogueState, incoming: Incoming, context) -> Reply:
    store, text, openid = context.store, incoming.text or "", incoming.openid
    escape = escape_word(text)
    if escape == "cancel":
        store.clear(openid)
        return TextReply(f"已取消“{dialogue.title}”。需要其他帮助请直接告诉我，或回复“帮助”。")
    if escape == "handoff":
        store.clear(openid)
        steps = [step for step in dialogue.steps if step.slot in state.slots]
        filled = "；".join(f"{step.label}={shown(state.slots[step.slot])}" for step in steps) or "无"
        return handoff(incoming, context, f"在“{dialogue.title}”中转人工。已填写：{filled}")
    if escape == "restart":
        return _begin(dialogue, incoming, context)
    if escape == "back":
        state.step, state.confirming = (len(dialogue.steps) - 1 if state.confirming else max(state.step - 1, 0)), False
        store.save(openid, state)
        return TextReply(dialogue.ask(state.step, context, state.slots))
    if state.confirming:
        return _confirm(dialogue, state, incoming, context)
    step = dialogue.steps[state.step]
    try:
        state.slots[step.slot] = step.take(text, context, state.slots)
    except Reprompt as problem:
        store.save(openid, state)
        return TextReply(f"{problem}\n\n{dialogue.ask(state.step, context, state.slots)}")
    state.step += 1
    state.confirming = state.step == len(dialogue.steps)
    store.save(openid, state)
    return TextReply(
        dialogue.confirmation(state.slots) if state.confirming else dialogue.ask(state.step, context, state.slots)
    )


def _confirm(dialogue: Dialogue, state: DialogueState, incoming: Incoming, context) -> Reply:
    answer = yes_or_no(incoming.text or "")
    if answer is None:
        return TextReply("请回复“1”确认提交，或回复“2”修改。\n\n" + dialogue.confirmation(state.slots))
    if answer is False:
        state.step, state.confirming = len(dialogue.steps) - 1, False
        context.store.save(incoming.openid, state)
        return TextReply(dialogue.ask(state.step, context, state.slots))
    reply = dialogue.commit(state.slots, context, incoming)
    # Durable first: a failed commit leaves the dialogue at its confirmation, to be confirmed again.
    context.session.commit()
    context.store.clear(incoming.openid)
    return reply


def _route(incoming: Incoming, context) -> Reply:
    answer = command(incoming, context)  # 评价 WQ… 5, 补充 WQ… …: no guessing what these mean
    if answer is not None:
        return answer
    intent = classify(incoming.text or "")
    if intent in DIALOGUES or intent in (SURVEY, "human.handoff"):
        return start(intent, incoming, context)
    return _answer(intent, incoming, context)


def _answer(intent: str, incoming: Incoming, context) -> Reply:
    """Answer what needs no dialogue: help, one's grievance cases, the knowledge base, features still to come."""
    if intent == "help":
        return TextReply(HELP)
    if intent == GRIEVANCE_STATUS:
        return status(incoming, context)
    if intent == DIGEST_LATEST:
        return latest_digest(incoming, context)
    if intent in COMING:
        return TextReply(COMING[intent])
    entry = knowledge(context.session).best(incoming.text or "", _scope(intent))
    if intent == "childcare.info":
        answer = _answer_text(entry) if entry is not None else None
        return TextReply("\n\n".join(filter(None, [answer, _open_childcare(context)])))
    return TextReply(_knowledge_reply(entry, intent))


def _scope(intent: str) -> str | None:
    """Return the intent to search the knowledge base within: a knowledge intent's own entries, else all."""
    return intent if intent in KNOWLEDGE_INTENTS else None


def _answer_text(entry: Entry) -> str:
    return f"{entry.answer}\n（依据：{entry.source}）"


def _knowledge_reply(entry: Entry | None, intent: str) -> str:
    """Return the reply of the knowledge base: the entry's answer with its source, or an honest no."""
    if entry is not None:
        return _answer_text(entry)
    return NO_ANSWER if intent in KNOWLEDGE_INTENTS else FALLBACK


@dataclass(frozen=True)
class Trial:
    """What the bot would do with a question, for officials testing the knowledge base."""

    intent: str
    elsewhere: str | None  # what answers the text instead of the knowledge base (a dialogue…), if anything
    scope: str | None  # the one intent whose entries the search is limited to, if any
    hits: list[Hit]  # the best entries, best first
    entry: Entry | None  # the first hit, when its score reaches THRESHOLD: the entry the worker gets
    reply: str | None  # the reply the worker gets from the knowledge base (None when answered elsewhere)


def try_question(session: Session, text: str, limit: int = 5) -> Trial:
    """Tell how the bot would answer a text from the current knowledge base, as _route and _answer decide."""
    intent = classify(text)
    elsewhere = _elsewhere(intent)
    scope = _scope(intent)
    hits = live.current(session, fresh=True).search(text, scope, limit)
    entry = hits[0].entry if hits and hits[0].score >= THRESHOLD else None
    if elsewhere:
        reply = None
    elif intent == "childcare.info":  # as _answer: the answer, if any, then the sessions open for registration
        reply = "\n\n".join(filter(None, [entry and _answer_text(entry), "（此处附上正在报名的托管班）"]))
    else:
        reply = _knowledge_reply(entry, intent)
    return Trial(intent, elsewhere, scope, hits, entry, reply)


def _elsewhere(intent: str) -> str | None:
    """Say what other than the knowledge base answers an intent, as _route and _answer send it."""
    if intent in DIALOGUES:
        return f"开始“{DIALOGUES[intent].title}”办理流程"
    others = {
        SURVEY: "请职工填写问卷",
        "human.handoff": "转接工会工作人员",
        "help": "回复使用帮助",
        GRIEVANCE_STATUS: "查询职工的维权案件进度",
        DIGEST_LATEST: "发送最新一期手机报",
    }
    if intent in others:
        return others[intent]
    return "说明该功能即将开通" if intent in COMING else None


def _open_childcare(context) -> str:
    """List the childcare sessions open for registration now."""
    sessions = open_sessions(context.session, utcnow())
    if not sessions:
        return "目前没有正在报名的托管班，开放报名时会在本号通知。"
    return "正在报名的托管班：\n" + "\n".join(f"· {describe(s)}" for s in sessions) + "\n回复“托管报名”即可报名。"


def _stateless(incoming: Incoming, context) -> Reply:
    """Without the store no dialogue can go on safely: answer questions, ask to start again later."""
    answer = command(incoming, context)
    if answer is not None:
        return answer
    intent = classify(incoming.text or "")
    if intent in DIALOGUES or intent == SURVEY:
        return TextReply(STORE_DOWN)
    if intent == "human.handoff":
        return handoff(incoming, context, incoming.text or "职工请求人工服务")
    reply = _answer(intent, incoming, context)
    if isinstance(reply, TextReply) and reply.content in (FALLBACK, NO_ANSWER):
        # Most likely the answer to a step of a dialogue whose state is out of reach: say that, not "off topic".
        return TextReply(STORE_LOST)
    return reply
