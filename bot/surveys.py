"""Surveys in the chat: a dialogue per survey, named "survey:<id>" and built from its questions on every message."""

from __future__ import annotations

from models.base import LOCAL_TZ, as_utc
from models.errors import DomainError, NotFound
from models.surveys import (
    MULTIPLE,
    OPEN,
    SINGLE,
    TEXT,
    AlreadyAnswered,
    Reply,
    Survey,
    SurveyQuestion,
    answer_survey,
    answered,
    survey_for,
    surveys_for,
)
from models.workers import Worker, worker_for_openid

from .answers import choice, several, skipped
from .dialogue import Dialogue, Reprompt, Step
from .messages import TextReply

INTENT = "survey.answer"
PREFIX = "survey:"
TITLE = "填写问卷"


def _closes(survey: Survey) -> str:
    closes = as_utc(survey.closes_at).astimezone(LOCAL_TZ)
    return f"{closes.month}月{closes.day}日"


def invitation(session, worker: Worker) -> str:
    """Return a line inviting the worker to the open survey they have not answered yet, or ""."""
    surveys = surveys_for(session, worker)
    done = answered(session, worker, [s.id for s in surveys])
    todo = [s for s in surveys if s.id not in done]
    if not todo:
        return ""
    return f"问卷《{todo[0].title}》正在征集大家想学什么（{_closes(todo[0])}截止），回复“填问卷”参与。"


def _hint(question: SurveyQuestion) -> str:
    if question.kind == TEXT:
        hint = f"请直接回复文字，{question.max_length}字以内"
    elif question.kind == SINGLE:
        hint = "单选，回复序号"
    else:
        most = f"最多选{question.max_choices}项，" if question.max_choices else ""
        most = "" if most[:-1] in question.text else most  # the official wrote it already
        hint = f"可多选，{most}回复序号，用空格或顿号隔开，例如“1 3”"
    return hint if question.required else f"{hint}；选填，不答请回复“跳过”"


def _reader(question: SurveyQuestion):
    """Read an answer to one question into {"label", "value"}: option indexes, a text, or None if skipped."""
    kind, options, required = question.kind, list(question.options), question.required
    most, longest = question.max_choices, question.max_length

    def read(text: str, *_) -> dict:
        if skipped(text):
            if required:
                raise Reprompt("这道题必答，请作答。")
            return {"label": "（跳过）", "value": None}
        if kind == TEXT:
            text = text.strip()
            if not 1 <= len(text) <= longest:
                raise Reprompt(f"请用{longest}字以内回答。")
            return {"label": text, "value": text}
        picked = several(text, options) if kind == MULTIPLE else [choice(text, options)]
        if not picked or None in picked:
            example = "例如“1”" if kind == SINGLE else "多选用空格或顿号隔开，例如“1 3”"
            raise Reprompt(f"请回复选项前的序号（1到{len(options)}），{example}。")
        if most is not None and len(picked) > most:
            raise Reprompt(f"这道题最多选{most}项，请重新选择。")
        return {"label": "、".join(options[i] for i in picked), "value": picked}

    return read


def _step(survey: Survey, question: SurveyQuestion) -> Step:
    numbered = "".join(f"\n{i}. {option}" for i, option in enumerate(question.options, 1))
    ask = f"{question.text}（{_hint(question)}）{numbered}"
    if question.position == 1:
        intro = f"《{survey.title}》\n{survey.intro}\n共{len(survey.questions)}题，提交前可以核对修改。\n\n"
        ask = intro + ask
    return Step(f"q{question.id}", f"第{question.position}题", ask, _reader(question))


def _worker(context, incoming) -> Worker:
    return worker_for_openid(context.session, incoming.openid, channel=incoming.channel)


def _precheck(survey_id: int):
    def check(context, incoming) -> TextReply | None:
        worker = _worker(context, incoming)
        try:
            survey = survey_for(context.session, worker, survey_id)
        except NotFound:
            return TextReply("没有找到这份问卷，回复“填问卷”看看正在进行的问卷。")
        if survey.status() != OPEN:
            return TextReply(f"问卷《{survey.title}》不在填写时间内，感谢关注。")
        if survey.id in answered(context.session, worker, [survey.id]):
            return TextReply(f"您已填写过问卷《{survey.title}》，感谢参与！")
        return None

    return check


def _submit(survey_id: int):
    def submit(slots: dict, context, incoming) -> TextReply:
        replies = [
            Reply(int(slot[1:]), choices=value) if isinstance(value, list) else Reply(int(slot[1:]), text=value)
            for slot, answer in slots.items()
            if slot.startswith("q") and (value := answer["value"]) is not None
        ]
        try:
            answer_survey(context.session, worker=_worker(context, incoming), survey_id=survey_id, replies=replies)
        except AlreadyAnswered:
            return TextReply("您已填写过这份问卷，感谢参与！")
        except DomainError as refusal:
            return TextReply(f"问卷没有提交成功：{refusal.message}\n如有疑问请回复“人工”。")
        return TextReply(
            "问卷已提交，感谢您的参与！工会将根据大家的意见确定培训科目、聘请专家授课。回复“培训”可以看看培训菜单。"
        )

    return submit


def survey_dialogue(session, name: str) -> Dialogue | None:
    """Return the dialogue of a name "survey:<id>", built from that survey's questions, or None."""
    number = name.removeprefix(PREFIX) if name.startswith(PREFIX) else ""
    survey = session.get(Survey, int(number)) if number.isdigit() else None
    if survey is None:
        return None
    steps = [_step(survey, q) for q in survey.questions]
    return Dialogue(
        f"{PREFIX}{survey.id}",
        TITLE,
        steps,
        _submit(survey.id),
        _precheck(survey.id),
        consent="问卷提交后不能修改。",
    )


def next_survey(context, incoming) -> Dialogue | TextReply:
    """Return the dialogue of the open survey the worker should answer next, or a reply saying there is none."""
    worker = _worker(context, incoming)
    surveys = surveys_for(context.session, worker)
    if not surveys:
        return TextReply("目前没有需要您填写的问卷，工会发布需求调查时会在本号通知。想学什么，也可以回复“我想学……”。")
    done = answered(context.session, worker, [s.id for s in surveys])
    todo = [s for s in surveys if s.id not in done]
    if not todo:
        titles = "、".join(f"《{s.title}》" for s in surveys)
        return TextReply(f"您已填写过问卷{titles}，感谢参与！回复“培训”可以看看培训菜单。")
    return survey_dialogue(context.session, f"{PREFIX}{todo[0].id}")
