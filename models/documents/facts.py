"""The facts a document is printed from, checked once, and the way they are written in Chinese."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from models.errors import Invalid

from .laws import CATEGORIES, DEPARTMENTS, Category, Department, category, department


class DocumentKind(StrEnum):
    """The three documents (三书); the values are those of models.grievances."""

    NOTICE = "notice"  # 告知书, to the worker when the case is accepted
    OPINION = "opinion"  # 意见书, to the employer
    SUGGESTION = "suggestion"  # 建议书, to a department of the "1+5+N" linkage

    @classmethod
    def _missing_(cls, value):
        # Accept the Chinese names too: 告知书, 工会劳动法律监督意见书, …
        for kind in cls:
            if value in (kind.label, kind.title):
                return kind
        return None

    @property
    def label(self) -> str:
        return {"notice": "告知书", "opinion": "意见书", "suggestion": "建议书"}[self.value]

    @property
    def title(self) -> str:
        return {
            "notice": "职工维权受理告知书",
            "opinion": "工会劳动法律监督意见书",
            "suggestion": "工会劳动法律监督建议书",
        }[self.value]

    @property
    def code(self) -> str:
        """The kind's part of a document number: 获工维意〔2026〕12号."""
        return {"notice": "维告", "opinion": "维意", "suggestion": "维建"}[self.value]


class Escalation(StrEnum):
    """Why a 建议书 is sent."""

    NO_ANSWER = "no_answer"  # the employer did not answer the 意见书 by its deadline
    MEDIATION_FAILED = "mediation_failed"


def document_number(issuer_code: str, kind: DocumentKind | str, year: int, serial: int) -> str:
    """Number a document the way 公文 are numbered: 获工维告〔2026〕12号 (issuer 获工, serial per kind and year)."""
    if not issuer_code.strip() or serial < 1:
        raise Invalid("文号不完整", field="number")
    return f"{issuer_code.strip()}{DocumentKind(kind).code}〔{year}〕{serial}号"


def chinese_date(day: date) -> str:
    """2026年11月23日, as GB/T 9704 writes a date (Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")


def _group_in_words(n: int) -> str:
    """0 < n < 10000 in capital numerals, zeros inside read once: 1005 → 壹仟零伍."""
    out, zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        digit = n // 10**power % 10
        if digit == 0:
            zero = zero or bool(out)
        else:
            out += ("零" if zero else "") + DIGITS[digit] + unit
            zero = False
    return out


def amount_in_words(amount: Decimal | int) -> str:
    """An amount of yuan in capitals as on a cheque: 186400 → 壹拾捌万陆仟肆佰元整, 1.05 → 壹元零伍分."""
    cents = int(Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    if cents < 0:
        raise Invalid("金额不能为负数", field="amount_owed")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    if len(groups) > len(GROUP_UNITS):
        raise Invalid("金额过大", field="amount_owed")
    out, zero = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero = zero or bool(out)
            continue
        if out and (zero or group < 1000):
            out += "零"
        out += _group_in_words(group) + GROUP_UNITS[index]
        zero = False
    if out:
        out += "元"
    if jiao:
        out += DIGITS[jiao] + "角"
    if fen:
        out += ("零" if out and not jiao else "") + DIGITS[fen] + "分"
    if not fen:
        out = (out or "零元") + "整"
    return out


def money(amount: Decimal) -> str:
    """人民币186,400.00元（大写：壹拾捌万陆仟肆佰元整）."""
    return f"人民币{amount:,.2f}元（大写：{amount_in_words(amount)}）"


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (bool, float)):
        # A float is already rounded wrongly (0.1 + 0.2); money comes as Decimal, int or str.
        raise Invalid("金额须为精确数值", field="amount_owed")
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        raise Invalid("金额格式不正确", field="amount_owed") from None
    if amount < 0 or not amount.is_finite():
        raise Invalid("金额不能为负数", field="amount_owed")
    return amount


def _date(value, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid("日期格式不正确", field=name) from None
    if not isinstance(value, date):
        raise Invalid("日期格式不正确", field=name)
    return value


SINGLE_LINE = (
    "number",
    "union_name",
    "case_number",
    "employer_name",
    "employer_address",
    "worker_name",
    "handler_name",
    "handler_phone",
    "department_name",
    "legal_adviser",
    "opinion_number",
)


# Control characters (XML refuses them, fonts have no glyph for them) and the ways of breaking a line.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029]")


def clean(value) -> str:
    """A text fit to print: line breaks as \\n, tabs as spaces, no control characters."""
    text = LINE_BREAKS.sub("\n", "" if value is None else str(value)).replace("\t", " ")
    return UNPRINTABLE.sub("", text)


def _texts(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(clean(t).strip() for t in value if t and clean(t).strip())


@dataclass(frozen=True)
class DocumentFacts:
    """Everything one document says. Texts are plain (no markup); lists may be given as lists.

    告知书 needs worker_name, handler_name and deadline (by when the worker hears back);
    意见书 needs deadline (by when the employer answers); 建议书 needs department.
    Empty laws and requests are filled from the category's (or the department's) entry in laws.py.
    """

    kind: DocumentKind
    number: str  # 获工维意〔2026〕12号, see document_number()
    union_name: str  # the issuing union: 获嘉县总工会
    issued_on: date
    case_number: str
    employer_name: str
    category: str  # a code of laws.CATEGORIES (unpaid_wages) or its label
    summary: str  # what happened, as established
    employer_address: str = ""
    worker_name: str = ""  # 告知书: the worker addressed
    workers_count: int = 1
    amount_owed: Decimal | None = None  # yuan; int, Decimal or str accepted
    laws: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()  # what the union asks (意见书) or recommends (建议书)
    deadline: date | None = None
    handler_name: str = ""
    handler_phone: str = ""
    department: str | None = None  # 建议书: a code of laws.DEPARTMENTS
    department_name: str = ""  # 建议书: the office addressed, 获嘉县人力资源和社会保障局; else the label
    legal_adviser: str = ""
    received_on: date | None = None  # when the union received the complaint
    escalation: Escalation | None = None  # 建议书: why
    opinion_number: str = ""  # 建议书: the 意见书 that went unanswered
    opinion_issued_on: date | None = None
    opinion_deadline: date | None = None

    def __post_init__(self):
        put = object.__setattr__
        try:
            put(self, "kind", DocumentKind(self.kind))
        except ValueError:
            raise Invalid("未知的文书类型", field="kind") from None
        for name in SINGLE_LINE:
            put(self, name, " ".join(clean(getattr(self, name)).split()))
        put(self, "summary", clean(self.summary).strip())
        for name in ("issued_on", "deadline", "received_on", "opinion_issued_on", "opinion_deadline"):
            put(self, name, _date(getattr(self, name), name))
        put(self, "amount_owed", _amount(self.amount_owed))
        put(self, "laws", _texts(self.laws))
        put(self, "requests", _texts(self.requests))
        put(self, "category", category(self.category).code)
        if self.department:
            put(self, "department", department(self.department).code)
        if self.escalation:
            try:
                put(self, "escalation", Escalation(self.escalation))
            except ValueError:
                raise Invalid("未知的上报原因", field="escalation") from None
        if isinstance(self.workers_count, bool) or not isinstance(self.workers_count, int) or self.workers_count < 1:
            raise Invalid("职工人数至少为1人", field="workers_count")
        self._check()

    def _check(self) -> None:
        required = {
            "number": "文号",
            "union_name": "发文工会",
            "issued_on": "成文日期",
            "case_number": "案件编号",
            "employer_name": "用人单位名称",
            "summary": "基本事实",
        }
        if self.kind is DocumentKind.NOTICE:
            required |= {"worker_name": "职工姓名", "handler_name": "承办人", "deadline": "答复期限"}
        elif self.kind is DocumentKind.OPINION:
            required |= {"deadline": "答复期限"}
        else:
            required |= {"department": "送达部门"}
        for name, label in required.items():
            if not getattr(self, name):
                raise Invalid(f"生成{self.kind.label}缺少{label}", field=name)
        if self.deadline and self.deadline < self.issued_on:
            raise Invalid("期限不能早于成文日期", field="deadline")

    @property
    def category_entry(self) -> Category:
        return CATEGORIES[self.category]

    @property
    def department_entry(self) -> Department | None:
        return DEPARTMENTS[self.department] if self.department else None

    @property
    def addressee(self) -> str:
        """Whom the document is addressed to: the worker, the employer or the department."""
        if self.kind is DocumentKind.NOTICE:
            return self.worker_name
        if self.kind is DocumentKind.OPINION:
            return self.employer_name
        return self.department_name or self.department_entry.label

    def to_dict(self) -> dict:
        """JSON-ready: dates in ISO form, the amount as a string; from_dict() reads it back."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, date):
                out[key] = value.isoformat()
            elif isinstance(value, Decimal):
                out[key] = str(value)
            elif isinstance(value, tuple):
                out[key] = list(value)
            elif isinstance(value, StrEnum):
                out[key] = value.value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> DocumentFacts:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
