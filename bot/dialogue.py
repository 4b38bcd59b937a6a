"""Slot-filling dialogues: steps that ask, read and validate, then a confirmation, then a commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .answers import choice
from .messages import Reply

FOOTER = "（回复“返回”改上一项，“取消”退出，“转人工”找工作人员）"


class Reprompt(Exception):
    """The answer does not fit: say why and how to answer, then ask the same step again."""


@dataclass(frozen=True)
class Step:
    """One question of a dialogue and how to read its answer into a slot."""

    slot: str
    label: str
    ask: str
    # (text, context, slots) -> value, or raise Reprompt; with options, it reads answers that are none of them
    read: Callable[[str, Any, dict], Any] | None = None
    options: list[str] = field(default_factory=list)  # numbered choices; the slot keeps the chosen name
    # Choices that depend on the data (e.g. open childcare sessions): (context, slots) -> [(label, value)]
    choices: Callable[[Any, dict], list[tuple[str, Any]]] | None = None
    note: Callable[[Any, dict], str] | None = None  # (context, slots) -> a line shown after the options, or ""

    def _options(self, context, slots: dict) -> list[tuple[str, Any]]:
        return self.choices(context, slots) if self.choices else [(o, o) for o in self.options]

    def prompt(self, context=None, slots: dict | None = None) -> str:
        """Return the question, with numbered options when there are some."""
        options = self._options(context, slots or {})
        note = self.note(context, slots or {}) if self.note else ""
        lines = [self.ask, *(f"{i}. {label}" for i, (label, _) in enumerate(options, 1)), note]
        return "\n".join(filter(None, lines))

    def take(self, text: str, context, slots: dict) -> Any:
        """Read an answer or raise Reprompt; a data choice is kept as {"label", "value"}."""
        options = self._options(context, slots)
        if options:
            picked = choice(text, [label for label, _ in options])
            if picked is not None:
                label, value = options[picked]
                return {"label": label, "value": value} if self.choices else value
            if self.read is None:
                raise Reprompt(f"请回复选项前的数字，例如“1”，或直接回复名称，例如“{options[0][0]}”。")
        return self.read(text, context, slots) if self.read else text.strip()


@dataclass(frozen=True)
class Dialogue:
    """A named dialogue: its steps and what it does once confirmed."""

    name: str
    title: str
    steps: list[Step]
    commit: Callable[[dict, Any, Any], Reply]  # (slots, context, incoming) -> the final reply
    # (context, incoming) -> a reply when the dialogue need not run at all (e.g. already a member)
    precheck: Callable[[Any, Any], Reply | None] | None = None
    consent: str = ""  # what confirming agrees to, shown with the summary
    # (context, incoming) -> the slots it starts with (e.g. whose menu, or a wish said in the first message)
    begin: Callable[[Any, Any], dict] | None = None

    def ask(self, index: int, context=None, slots: dict | None = None) -> str:
        """Return the prompt of a step, numbered within the dialogue."""
        prompt = self.steps[index].prompt(context, slots)
        where = f" {index + 1}/{len(self.steps)}" if len(self.steps) > 1 else ""
        return f"【{self.title}{where}】{prompt}\n{FOOTER}"

    def confirmation(self, slots: dict) -> str:
        """Return the summary the worker confirms before anything is committed."""
        lines = "\n".join(f"{step.label}：{shown(slots.get(step.slot))}" for step in self.steps)
        consent = f"{self.consent}\n" if self.consent else ""
        answers = "回复“1”或“确认”提交，回复“2”或“修改”改上一项，回复“取消”放弃。"
        return f"【{self.title}】请核对：\n{lines}\n{consent}{answers}"


def shown(value) -> str:
    """Return how a slot is shown to the worker."""
    if isinstance(value, dict):
        return value["label"]
    return str(value) if value not in (None, "") else "（未填）"


def text_of(min_length: int, example: str, max_length: int = 500) -> Callable[[str, Any], str]:
    """Accept free text of a sensible length."""

    def read(text: str, *_) -> str:
        text = text.strip()
        if not min_length <= len(text) <= max_length:
            raise Reprompt(f"请写{min_length}到{max_length}个字，例如：“{example}”")
        return text

    return read
