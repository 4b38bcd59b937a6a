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
    read: Callable[[str, Any], Any] | None = None  # (text, context) -> value, or raise Reprompt
    options: list[str] = field(default_factory=list)  # numbered choices; the slot keeps the chosen name

    def prompt(self) -> str:
        """Return the question, with numbered options when there are some."""
        if not self.options:
            return self.ask
        return self.ask + "\n" + "\n".join(f"{i}. {option}" for i, option in enumerate(self.options, 1))

    def take(self, text: str, context) -> Any:
        """Read an answer or raise Reprompt."""
        if self.options:
            picked = choice(text, self.options)
            if picked is None:
                raise Reprompt(f"请回复选项前的数字，例如“1”，或直接回复名称，例如“{self.options[0]}”。")
            return self.options[picked]
        return self.read(text, context) if self.read else text.strip()


@dataclass(frozen=True)
class Dialogue:
    """A named dialogue: its steps and what it does once confirmed."""

    name: str
    title: str
    steps: list[Step]
    commit: Callable[[dict, Any, Any], Reply]  # (slots, context, incoming) -> the final reply
    # (context, incoming) -> a reply when the dialogue need not run at all (e.g. already a member)
    precheck: Callable[[Any, Any], Reply | None] | None = None

    def ask(self, index: int) -> str:
        """Return the prompt of a step, numbered within the dialogue."""
        return f"【{self.title} {index + 1}/{len(self.steps)}】{self.steps[index].prompt()}\n{FOOTER}"

    def confirmation(self, slots: dict) -> str:
        """Return the summary the worker confirms before anything is committed."""
        lines = "\n".join(f"{step.label}：{slots.get(step.slot) or '（未填）'}" for step in self.steps)
        return f"【{self.title}】请核对：\n{lines}\n回复“1”或“确认”提交，回复“2”或“修改”改上一项，回复“取消”放弃。"


def text_of(min_length: int, example: str, max_length: int = 500) -> Callable[[str, Any], str]:
    """Accept free text of a sensible length."""

    def read(text: str, _context) -> str:
        text = text.strip()
        if not min_length <= len(text) <= max_length:
            raise Reprompt(f"请写{min_length}到{max_length}个字，例如：“{example}”")
        return text

    return read
