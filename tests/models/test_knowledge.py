"""The knowledge base in the database: its rules, who may change it, the audit trail, the idempotent import."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.errors import Forbidden, Invalid
from models.knowledge import (
    MAX_ANSWER,
    EntryValues,
    KnowledgeEntry,
    check_entry,
    create_entry,
    import_entries,
    list_entries,
    set_active,
    update_entry,
)

GOOD = {
    "key": "law.test",
    "topic": "labour_law",
    "intent": "legal.consult",
    "title": "标题",
    "questions": ["问法一", "问法二"],
    "answer": "回答",
    "source": "出处",
}
NEW = {k: v for k, v in GOOD.items() if k != "key"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": "长" * (MAX_ANSWER + 1)}, "答案不能超过300个字（现在301个字）"),
        ({"answer": "  "}, "答案不能为空"),
        ({"questions": []}, "请至少填写一个问法"),
        ({"questions": ["好的", " "]}, "第2个问法不能为空"),
        ({"questions": ["一\n二"]}, "第1个问法不能换行"),
        ({"intent": "weather"}, "意图“weather”不在可选范围内"),
        ({"title": ""}, "标题不能为空"),
        ({"source": "出处\x00"}, "出处含有无法显示的控制字符"),
        ({"key": "Law Probation"}, "编号只能由小写字母、数字、下划线和点组成"),
        ({"topic": "劳动法"}, "分类只能由小写字母、数字和下划线组成"),
    ],
)
def test_an_entry_breaking_a_rule_is_refused_in_chinese(change, message):
    with pytest.raises(Invalid) as error:
        check_entry(**{**GOOD, **change})
    assert message in error.value.message


def test_values_are_trimmed_and_repeated_questions_kept_once():
    values = check_entry(**{**GOOD, "title": " 标题 ", "questions": [" 问法 ", "问法"], "answer": "第一行\r\n第二行 "})
    assert (values.title, values.questions, values.answer) == ("标题", ("问法",), "第一行\n第二行")
    assert len(check_entry(**{**GOOD, "answer": "长" * MAX_ANSWER}).answer) == MAX_ANSWER


def test_an_admin_of_a_top_level_union_creates_and_edits_with_an_audit_trail(demo):
    admin = demo.actor("xinxiang-admin")
    entry = create_entry(demo.session, admin, **NEW)
    assert entry.key.startswith("labour_law.k") and entry.active and entry.updated_by == admin.id
    update_entry(demo.session, admin, entry.id, answer="新的回答", questions=["问法一", "问法三"])
    update_entry(demo.session, admin, entry.id, answer="新的回答")  # nothing changed: no audit entry
    set_active(demo.session, admin, entry.id, False)
    demo.session.commit()
    assert (entry.answer, entry.questions, entry.active) == ("新的回答", "问法一\n问法三", False)
    trail = demo.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "knowledge_entry").order_by(AuditEntry.id)
    ).all()
    assert [(row.action, row.detail.get("fields")) for row in trail] == [
        ("create", None),
        ("update", ["answer", "questions"]),
        ("deactivate", None),
    ]
    assert {row.actor for row in trail} == {"xinxiang-admin"}


@pytest.mark.parametrize("username", ["huojia", "xinxiang-viewer", "kailuan"])
def test_only_admins_of_a_top_level_union_may_change_it(demo, username):
    actor = demo.actor(username)
    with pytest.raises(Forbidden, match="只有最上级工会的管理员可以修改"):
        create_entry(demo.session, actor, **NEW)
    entry = create_entry(demo.session, demo.actor("hebei-admin"), **NEW)  # another top-level union's admin may
    with pytest.raises(Forbidden):
        update_entry(demo.session, actor, entry.id, answer="改了")
    with pytest.raises(Forbidden):
        set_active(demo.session, actor, entry.id, False)


def test_an_update_is_checked_by_the_same_rules(demo):
    admin = demo.actor("xinxiang-admin")
    entry = create_entry(demo.session, admin, **NEW)
    with pytest.raises(Invalid, match="答案不能超过300个字"):
        update_entry(demo.session, admin, entry.id, answer="长" * 301)
    with pytest.raises(Invalid, match="不能修改这些字段：key"):
        update_entry(demo.session, admin, entry.id, key="other.key")


def test_list_filters_by_topic_intent_state_and_word(demo):
    admin = demo.actor("xinxiang-admin")
    first = create_entry(demo.session, admin, **NEW)
    childcare = {**NEW, "topic": "childcare", "intent": "childcare.info", "title": "暑期托管"}
    second = create_entry(demo.session, admin, **childcare)
    set_active(demo.session, admin, second.id, False)
    assert list_entries(demo.session) == [second, first]  # by topic
    assert list_entries(demo.session, topic="labour_law") == [first]
    assert list_entries(demo.session, intent="childcare.info") == [second]
    assert list_entries(demo.session, active=True) == [first]
    assert list_entries(demo.session, search="托管") == [second]
    assert list_entries(demo.session, search="100%") == []  # a LIKE wildcard is a plain character


def test_the_import_adds_only_what_is_missing_and_keeps_officials_edits(demo):
    shipped = [check_entry(**GOOD), check_entry(**{**GOOD, "key": "law.other"})]
    assert import_entries(demo.session, shipped).created == 2
    entry = demo.session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.key == "law.test")).one()
    update_entry(demo.session, demo.actor("xinxiang-admin"), entry.id, answer="官员改过的回答")
    again = import_entries(demo.session, shipped)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert entry.answer == "官员改过的回答"
    reset = import_entries(demo.session, shipped, overwrite=True)
    assert (reset.created, reset.updated, reset.unchanged) == (0, 1, 1)
    assert entry.answer == "回答"
    assert demo.session.scalar(select(KnowledgeEntry.id).where(KnowledgeEntry.key == "law.other"))


def test_an_import_refuses_a_bad_entry(demo):
    with pytest.raises(Invalid, match="请至少填写一个问法"):
        import_entries(demo.session, [EntryValues(**{**GOOD, "questions": ()})])
