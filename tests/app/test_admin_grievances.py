"""Officials' grievance API: walk-ins and calls routed with their reason, the closed loop, scope, viewers,
statistics, routing rules and deadlines an admin changes, the audit of a case viewed, strict bodies.

The demo's four cases (models/demo_grievances.py) are there in every test: 张伟's forced resignation at 恒达机械
(亢村镇, being handled) with 孙强's joined to it, 李娜's unpaid wages at 鑫源纺织 (城关镇, closed) and 杨磊's
missing contract at 宏远建材 (照镜镇, received)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.base import LOCAL_TZ, as_utc, today
from models.grievances import GrievanceCase

API = "/api/admin/grievances"

WALK_IN = {
    "name": "王建设",
    "phone": "13937315555",
    "channel": "walk_in",
    "category": "unpaid_wages",
    "employer": "获嘉县某建筑工地",
    "facts": "工地包工头拖欠12名农民工三个月工资，多次讨要未果。",
    "workers_count": 12,
    "amount_owed": "96000.50",
    "township": "亢村镇",
    "county": "获嘉县",
}
SCHOOL_CALL = {
    "name": "刘老师",
    "phone": "13937316666",
    "channel": "phone",
    "category": "overtime",
    "employer": "新乡市第一中学",
    "facts": "学校要求教师每天晚自习值班到十点，周末补课，没有任何加班补贴。",
    "workers_count": 30,
}


def _end_of_day(days: int) -> str:
    """23:59:59 China time `days` after today, in UTC, as the API shows deadlines."""
    return datetime.combine(today() + timedelta(days=days), time(23, 59, 59), LOCAL_TZ).astimezone(UTC).isoformat()


def _demo_case(demo, worker: str) -> GrievanceCase:
    query = select(GrievanceCase).where(GrievanceCase.worker_id == demo.worker(worker).id)
    return demo.session.scalars(query).one()


def _record(client, headers: dict, body: dict = WALK_IN) -> dict:
    made = client.post(API, headers=headers, json=body)
    assert made.status_code == 201, made.json
    return made.json


def _history(case: dict) -> list[tuple]:
    return [
        (e["actor"], e["action"], e["from"] and e["from"]["status"], e["to"]["status"], e["note"])
        for e in case["events"]
    ]


def test_a_walk_in_and_a_call_are_routed_with_their_reason(client, demo, login):
    huojia = login("huojia")
    case = _record(client, huojia)
    assert case["number"] == f"WQ{today():%Y%m%d}{case['id']:04d}"
    assert (case["status"], case["status_label"], case["channel_label"], case["category_label"]) == (
        "received",
        "已收到",
        "来访",
        "拖欠工资",
    )
    assert case["union"] == {"id": demo.union("获嘉县亢村镇工会").id, "name": "获嘉县亢村镇工会"}
    assert (case["routing_rule"], case["routing_reason"]) == ("township", "属地：亢村镇")
    assert case["employer"] == {
        "id": None,
        "name": "获嘉县某建筑工地",
        "address": None,
        "township": "亢村镇",
        "county": "获嘉县",
        "industry": None,
    }
    assert (case["workers_count"], case["amount_owed"], case["overdue"]) == (12, "96000.50", False)
    assert (case["worker"]["name"], case["worker"]["phone"], case["contact_phone"]) == (
        "王建设",
        "13937315555",
        "13937315555",
    )
    assert case["recorded_by"] == demo.official("huojia").id
    assert case["collective"] == {"lead_id": case["id"], "cases": 1, "workers": 12}
    assert _history(case) == [("huojia", "received", None, "received", "来访：属地：亢村镇")]
    # A call about 恒达机械, whose forced resignations are already a case: it joins them as one collective case.
    zhang_wei = _demo_case(demo, "张伟")
    call = _record(
        client,
        huojia,
        {
            **WALK_IN,
            "name": "赵刚",
            "phone": "13937317777",
            "channel": "phone",
            "category": "forced_resignation",
            "employer": "获嘉县恒达机械有限公司",
            "facts": "车间主任让我们两个写自愿辞职报告。",
            "workers_count": 2,
            "amount_owed": 24000,
        },
    )
    assert call["employer"]["id"] == demo.enterprise("获嘉县恒达机械有限公司").id
    assert (call["union"]["name"], call["routing_reason"], call["channel_label"]) == (
        "获嘉县亢村镇工会",
        "属地：亢村镇",
        "来电",
    )
    assert (call["collective_id"], call["amount_owed"]) == (zhang_wei.id, "24000.00")
    assert call["collective"] == {"lead_id": zhang_wei.id, "cases": 3, "workers": 16}  # 张伟's 13, 孙强, these 2
    # The queue: 孙强's case, which 亢村镇 let lie past its deadline, leads; then the deadlines to accept (2 working
    # days) come before 张伟's case in hand, the closed one last.
    queue = client.get(API, headers=huojia).json["cases"]
    assert [(c["employer"]["name"], c["status"]) for c in queue] == [
        ("获嘉县恒达机械有限公司", "received"),  # 孙强
        ("获嘉县宏远建材有限公司", "received"),  # 杨磊
        ("获嘉县某建筑工地", "received"),
        ("获嘉县恒达机械有限公司", "received"),
        ("获嘉县恒达机械有限公司", "handling"),  # 张伟
        ("获嘉县鑫源纺织有限公司", "closed"),  # 李娜
    ]
    deadlines = [c["deadline_at"] for c in queue]
    assert deadlines[:-1] == sorted(deadlines[:-1]) and deadlines[-1] is None
    assert [c["overdue"] for c in queue] == [True, False, False, False, False, False]
    assert queue[2]["deadline_at"] == queue[3]["deadline_at"]  # the walk-in and the call, both received today
    assert [c["collective_id"] for c in queue] == [zhang_wei.id, None, None, zhang_wei.id, None, None]
    assert [c["id"] for c in client.get(f"{API}?category=unpaid_wages", headers=huojia).json["cases"]] == [
        case["id"],
        _demo_case(demo, "李娜").id,
    ]
    received = client.get(f"{API}?status=received&category=forced_resignation", headers=huojia).json["cases"]
    assert [c["id"] for c in received] == [_demo_case(demo, "孙强").id, call["id"]]
    bad = client.get(f"{API}?status=lost", headers=huojia)
    assert bad.status_code == 400 and (bad.json["error"]["field"], bad.json["error"]["message"]) == (
        "status",
        "未知的案件状态",
    )


def test_a_case_goes_round_the_closed_loop(client, demo, login):
    huojia, kangcun = login("huojia"), login("kangcun")
    case_id = _record(client, huojia)["id"]
    url = f"{API}/{case_id}"
    not_here = client.post(f"{url}/accept", headers=huojia, json={"handler_id": demo.official("jiaoyu").id})
    assert not_here.status_code == 404 and not_here.json["error"] == {
        "code": "not_found",
        "message": "未找到该经办人",
        "field": "handler_id",
    }
    # The county accepts it and hands it to the township's official, with the county's legal advisers.
    body = {"handler_id": demo.official("kangcun").id, "legal_adviser": "县总工会法律顾问团 李律师"}
    accepted = client.post(f"{url}/accept", headers=huojia, json=body)
    assert accepted.status_code == 200, accepted.json
    assert (accepted.json["status"], accepted.json["handler"]["name"], accepted.json["legal_adviser"]) == (
        "accepted",
        "亢村镇工会干部",
        "县总工会法律顾问团 李律师",
    )
    assert accepted.json["deadline_at"] == _end_of_day(30) and accepted.json["accepted_at"] is not None
    handled = client.post(f"{url}/handle", headers=kangcun, json={"note": "约谈包工头和总包单位，组织调解"})
    assert handled.status_code == 200 and handled.json["status_label"] == "办理中"
    resolution = {"outcome": "总包单位代付拖欠工资", "amount_recovered": "96000.50", "workers_covered": 12}
    resolved = client.post(f"{url}/resolve", headers=kangcun, json=resolution)
    assert resolved.status_code == 200, resolved.json
    assert (resolved.json["status"], resolved.json["outcome"], resolved.json["amount_recovered"]) == (
        "resolved",
        "总包单位代付拖欠工资",
        "96000.50",
    )
    assert (resolved.json["workers_covered"], resolved.json["deadline_at"]) == (12, None)
    closed = client.post(f"{url}/close", headers=kangcun, json={"note": "职工确认工资已到账"})
    assert closed.status_code == 200 and closed.json["closed_at"] is not None
    detail = client.get(url, headers=kangcun).json
    assert detail["status"] == "closed" and detail["overdue"] is False
    assert _history(detail) == [
        ("huojia", "received", None, "received", "来访：属地：亢村镇"),
        ("huojia", "受理", "received", "accepted", "经办人：亢村镇工会干部"),
        ("huojia", "告知书", "accepted", "accepted", detail["documents"][0]["number"]),
        ("kangcun", "办理", "accepted", "handling", "约谈包工头和总包单位，组织调解"),
        ("kangcun", "办结", "handling", "resolved", "总包单位代付拖欠工资"),
        ("kangcun", "结案", "resolved", "closed", "职工确认工资已到账"),
    ]
    assert detail["events"][1]["from"] == {"status": "received", "label": "已收到"}
    assert detail["events"][1]["official_id"] == demo.official("huojia").id
    assert all(e["at"] for e in detail["events"])


def test_illegal_transitions_are_409_and_change_nothing(client, demo, login):
    huojia = login("huojia")
    yang_lei, li_na = _demo_case(demo, "杨磊"), _demo_case(demo, "李娜")
    skipped = client.post(f"{API}/{yang_lei.id}/resolve", headers=huojia, json={"outcome": "已调解"})
    assert skipped.status_code == 409 and skipped.json["error"] == {
        "code": "conflict",
        "message": "案件当前为“已收到”，不能办结",
        "field": "status",
    }
    early = client.post(f"{API}/{yang_lei.id}/handle", headers=huojia, json={"note": "调查"})
    assert early.status_code == 409 and early.json["error"]["message"] == "案件当前为“已收到”，不能办理"
    again = client.post(f"{API}/{li_na.id}/accept", headers=login("chengguan"), json={})
    assert again.status_code == 409 and again.json["error"]["message"] == "案件当前为“已结案”，不能受理"
    assert client.get(f"{API}/{yang_lei.id}", headers=huojia).json["status"] == "received"
    # 不予受理: a received case may be closed at once, with the reason.
    refused = client.post(f"{API}/{yang_lei.id}/close", headers=huojia, json={"note": "不属于劳动争议"})
    assert refused.status_code == 200 and refused.json["events"][-1]["action"] == "不予受理"
    short = client.post(f"{API}/{li_na.id}/close", headers=huojia, json={"note": "好"})
    assert short.status_code == 400 and short.json["error"]["field"] == "note"


def test_officials_see_and_act_on_their_scope_only(client, demo, login):
    case = _record(client, login("huojia"))  # at 亢村镇
    chengguan = login("chengguan")
    for method, path, body in (
        ("get", "", None),
        ("post", "/accept", {}),
        ("post", "/handle", {"note": "调查"}),
        ("post", "/close", {"note": "不属于劳动争议"}),
    ):
        response = getattr(client, method)(f"{API}/{case['id']}{path}", headers=chengguan, json=body)
        assert response.status_code == 404, path
        assert response.json["error"] == {"code": "not_found", "message": "未找到该维权案件"}
        assert "王建设" not in response.get_data(as_text=True)
    assert [c["employer"]["name"] for c in client.get(API, headers=chengguan).json["cases"]] == [
        "获嘉县鑫源纺织有限公司"
    ]
    assert client.get(f"{API}/{case['id']}", headers=login("hebei-admin")).status_code == 404
    assert client.get(f"{API}/{case['id']}", headers=login("kangcun")).status_code == 200
    seen = client.get(f"{API}/{case['id']}", headers=login("huojia"))
    assert seen.status_code == 200 and seen.json["worker"]["name"] == "王建设"
    assert client.get(API, headers=login("xinyi-fy")).json == {"cases": []}


def test_viewers_read_but_change_nothing(client, demo, login):
    viewer = login("xinxiang-viewer")
    listed = client.get(API, headers=viewer).json["cases"]
    assert len(listed) == 4  # the demo's cases, all below the city union
    yang_lei = _demo_case(demo, "杨磊")
    assert client.get(f"{API}/{yang_lei.id}", headers=viewer).json["worker"]["name"] == "杨磊"
    for method, path, body in (
        ("post", "", WALK_IN),
        ("post", f"/{yang_lei.id}/accept", {}),
        ("post", f"/{yang_lei.id}/handle", {"note": "调查"}),
        ("post", f"/{yang_lei.id}/resolve", {"outcome": "已调解"}),
        ("post", f"/{yang_lei.id}/close", {"note": "不属于劳动争议"}),
        ("put", "/routing-rules", {"rules": ["county"]}),
        ("put", "/deadlines/accept", {"days": 5, "working_days": True}),
    ):
        response = getattr(client, method)(f"{API}{path}", headers=viewer, json=body)
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden", path
    assert client.get(f"{API}/{yang_lei.id}", headers=viewer).json["status"] == "received"
    assert demo.session.scalar(select(GrievanceCase).where(GrievanceCase.employer_name == WALK_IN["employer"])) is None
    assert client.application.test_client().get(API).status_code == 401


def test_statistics_per_union_category_and_month(client, demo, login):
    huojia = login("huojia")
    case_id = _record(client, huojia)["id"]
    client.post(f"{API}/{case_id}/accept", headers=huojia, json={})
    client.post(f"{API}/{case_id}/handle", headers=huojia, json={"note": "调解"})
    resolution = {"outcome": "补发工资", "amount_recovered": "1079200", "workers_covered": 46}
    assert client.post(f"{API}/{case_id}/resolve", headers=huojia, json=resolution).status_code == 200
    body = client.get(f"{API}/statistics", headers=huojia).json
    rows = {(r["union"], r["category"]): r for r in body["rows"]}
    li_na = as_utc(_demo_case(demo, "李娜").created_at).astimezone(LOCAL_TZ)
    assert rows[("获嘉县城关镇工会", "拖欠工资")] == {
        "union": "获嘉县城关镇工会",
        "category": "拖欠工资",
        "month": f"{li_na:%Y-%m}",
        "cases": 1,
        "resolved": 1,
        "median_days": 4.0,  # the demo resolves it on the fourth day
        "amount_recovered": "52800.00",
        "workers_covered": 8,
    }
    mine = rows[("获嘉县亢村镇工会", "拖欠工资")]
    assert (mine["month"], mine["cases"], mine["resolved"], mine["amount_recovered"], mine["workers_covered"]) == (
        f"{today():%Y-%m}",
        1,
        1,
        "1079200.00",
        46,
    )
    assert mine["median_days"] == 0.0
    # 张伟's and 孙强's cases, received 12 and 11 days ago: one month or two, neither resolved.
    forced = [r for r in body["rows"] if r["category"] == "被迫辞职或辞退没有补偿"]
    assert sum(r["cases"] for r in forced) == 2 and {r["union"] for r in forced} == {"获嘉县亢村镇工会"}
    assert {(r["resolved"], r["median_days"], r["amount_recovered"]) for r in forced} == {(0, None, "0.00")}
    assert body["year"] is None and len(body["rows"]) == 3 + len(forced)  # and 杨磊's missing contract
    assert body["totals"] == {"cases": 5, "resolved": 2, "amount_recovered": "1132000.00", "workers_covered": 54}
    city = client.get(f"{API}/statistics", headers=login("chengguan")).json
    assert [r["union"] for r in city["rows"]] == ["获嘉县城关镇工会"] and city["totals"]["cases"] == 1
    this_year = client.get(f"{API}/statistics?year={today().year}", headers=huojia).json
    assert this_year["year"] == today().year and mine in this_year["rows"]
    assert client.get(f"{API}/statistics?year=2001", headers=huojia).json["totals"] == {
        "cases": 0,
        "resolved": 0,
        "amount_recovered": "0.00",
        "workers_covered": 0,
    }
    assert client.get(f"{API}/statistics?year=last", headers=huojia).status_code == 400


def test_the_city_admin_changes_where_a_schools_case_goes(client, demo, login):
    city, huojia = login("xinxiang-admin"), login("huojia")
    rules = client.get(f"{API}/routing-rules", headers=huojia).json
    assert [(r["rule"], r["enabled"]) for r in rules["rules"]] == [
        ("own_union", True),
        ("industry_union", True),
        ("township", True),
        ("county", True),
    ]
    assert rules["rules"][0]["label"] == "企业建有工会的，由企业工会受理"
    school = {"employer": "新乡市第一中学"}
    preview = client.get(f"{API}/route", headers=huojia, query_string=school).json
    assert preview == {
        "union": {"id": demo.union("新乡市教育系统产业工会").id, "name": "新乡市教育系统产业工会"},
        "rule": "industry_union",
        "rule_label": "由覆盖该行业的产业工会受理",
        "reason": "行业：教育",
        "enterprise": {"id": demo.enterprise("新乡市第一中学").id, "name": "新乡市第一中学"},
    }
    before = _record(client, city, SCHOOL_CALL)
    assert (before["union"]["name"], before["routing_reason"]) == ("新乡市教育系统产业工会", "行业：教育")
    assert client.get(f"{API}/{before['id']}", headers=login("jiaoyu")).status_code == 200
    # Only the admin of the top union changes the rules: places before industries.
    order = {"rules": ["own_union", "township", "county", "industry_union"]}
    refused = client.put(f"{API}/routing-rules", headers=huojia, json=order)
    assert refused.status_code == 403 and refused.json["error"]["message"] == "仅管理员可以执行此操作"
    changed = client.put(f"{API}/routing-rules", headers=city, json=order)
    assert changed.status_code == 200, changed.json
    assert [r["rule"] for r in changed.json["rules"]] == order["rules"]
    preview = client.get(f"{API}/route", headers=huojia, query_string=school).json
    assert (preview["union"]["name"], preview["rule"], preview["reason"]) == ("卫滨区总工会", "county", "属地：卫滨区")
    after = _record(client, city, {**SCHOOL_CALL, "phone": "13937316667", "category": "unpaid_wages"})
    assert (after["union"]["name"], after["routing_reason"]) == ("卫滨区总工会", "属地：卫滨区")
    assert client.get(f"{API}/{after['id']}", headers=login("jiaoyu")).status_code == 404
    # Switched off: the hospital's own union no longer takes its cases.
    off = client.put(f"{API}/routing-rules", headers=city, json={"rules": ["county"]}).json
    assert [(r["rule"], r["enabled"]) for r in off["rules"]] == [
        ("county", True),
        ("own_union", False),
        ("industry_union", False),
        ("township", False),
    ]
    hospital = client.get(f"{API}/route?employer=新乡医学院第一附属医院", headers=huojia).json
    assert (hospital["union"]["name"], hospital["reason"]) == ("卫辉市总工会", "属地：卫辉市")
    unknown = client.get(f"{API}/route?address=某地某路", headers=huojia).json
    assert (unknown["union"]["name"], unknown["rule"], unknown["reason"], unknown["enterprise"]) == (
        "新乡市总工会",
        "city",
        "属地不明，由新乡市总工会受理",
        None,
    )
    bad = client.put(f"{API}/routing-rules", headers=city, json={"rules": ["by_mood"]})
    assert bad.status_code == 400 and bad.json["error"]["field"] == "rules"
    assert client.put(f"{API}/routing-rules", headers=city, json={"rules": "county"}).status_code == 400
    assert [r["rule"] for r in client.get(f"{API}/routing-rules", headers=city).json["rules"] if r["enabled"]] == [
        "county"
    ]


def test_an_admin_changes_a_deadline(client, demo, login):
    city = login("xinxiang-admin")
    listed = client.get(f"{API}/deadlines", headers=login("kangcun")).json["deadlines"]
    assert [(d["stage"], d["label"], d["days"], d["working_days"]) for d in listed] == [
        ("accept", "收到后受理", 2, True),
        ("handle", "受理后办结", 30, False),
        ("opinion", "企业答复意见书", 15, False),
        ("escalated", "上报后上级工会处理", 10, True),
    ]
    changed = client.put(f"{API}/deadlines/accept", headers=city, json={"days": 1, "working_days": False})
    assert changed.status_code == 200, changed.json
    accept = changed.json["deadlines"][0]
    assert (accept["days"], accept["working_days"], accept["default_days"], accept["default_working_days"]) == (
        1,
        False,
        2,
        True,
    )
    # A case received now must be accepted by the end of tomorrow, weekend or not.
    assert _record(client, login("huojia"))["deadline_at"] == _end_of_day(1)
    refused = client.put(f"{API}/deadlines/accept", headers=login("huojia"), json={"days": 5, "working_days": True})
    assert refused.status_code == 403
    too_long = client.put(f"{API}/deadlines/handle", headers=city, json={"days": 181, "working_days": False})
    assert too_long.status_code == 400 and too_long.json["error"]["message"] == "期限应在1到180天之间"
    unknown = client.put(f"{API}/deadlines/lunch", headers=city, json={"days": 1, "working_days": False})
    assert unknown.status_code == 400 and unknown.json["error"]["field"] == "stage"
    loose = client.put(f"{API}/deadlines/handle", headers=city, json={"days": "20", "working_days": 0})
    assert loose.status_code == 400 and loose.json["error"]["code"] == "invalid_payload"
    assert client.get(f"{API}/deadlines", headers=city).json["deadlines"][1]["days"] == 30


def test_viewing_a_case_is_audited(client, demo, login):
    zhang_wei = _demo_case(demo, "张伟")
    client.get(API, headers=login("huojia"))
    detail = client.get(f"{API}/{zhang_wei.id}", headers=login("kangcun"))
    assert detail.status_code == 200 and detail.json["worker"]["phone"] == "13837310001"
    assert detail.json["facts"].startswith("公司以搬迁为由") and detail.json["legal_adviser"] == "县总工会法律顾问团"
    assert client.get(f"{API}/{zhang_wei.id}", headers=login("chengguan")).status_code == 404
    demo.session.expire_all()
    entries = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type.like("grievance_case%"))).all()
    mine = [(e.actor, e.action, e.object_type, e.object_id, e.union_id, e.detail) for e in entries if e.ip]
    assert mine == [
        ("huojia", "list", "grievance_cases", None, None, {"status": None, "category": None}),
        ("kangcun", "view", "grievance_case", str(zhang_wei.id), demo.union("获嘉县亢村镇工会").id, {}),
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"amount_owed": 96000.505},  # more than 2 decimals: refused, not rounded
        {"amount_owed": "96000.505"},
        {"amount_owed": "九万"},
        {"amount_owed": "NaN"},
        {"amount_owed": True},
        {"workers_count": "12"},  # strict: no coercion
        {"workers_count": 1.5},
        {"facts": "拖欠工资\x00"},
        {"employer": ""},
        {"name": None},
        {"township": "镇" * 51},
        {"id_number": "410724199001011234"},
    ],
)
def test_malformed_walk_ins_are_400_invalid_payload(client, demo, login, changes):
    response = client.post(API, headers=login("huojia"), json=WALK_IN | changes)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload", response.json
    assert response.json["error"]["fields"][0]["field"] == next(iter(changes))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"category": "gossip"},
            "category",
            "请选择问题类别：拖欠工资、被迫辞职或辞退没有补偿、没签劳动合同、不交社保、工伤、超时加班、乱罚款、安全隐患、其他",
        ),
        ({"channel": "mp"}, "channel", "来源应为 walk_in（来访）或 phone（来电）"),
        ({"phone": "1393731"}, "phone", "请输入正确的11位手机号码"),
        ({"facts": "欠钱"}, "facts", "请说明经过（5到5000字）"),
        ({"workers_count": 0}, "workers_count", "涉及人数应在1到100000之间"),
        ({"amount_owed": "-1"}, "amount_owed", "涉及金额不正确"),
        ({"amount_owed": "100000000"}, "amount_owed", "涉及金额不正确"),
    ],
)
def test_rule_breaking_walk_ins_are_400_with_a_chinese_message(client, demo, login, changes, field, message):
    response = client.post(API, headers=login("huojia"), json=WALK_IN | changes)
    error = response.json["error"]
    assert response.status_code == 400 and (error["code"], error["field"], error["message"]) == (
        "invalid",
        field,
        message,
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/accept", {"handler_id": "3"}),
        ("/accept", {"handler_id": 0}),
        ("/accept", {"legal_adviser": "律" * 51}),
        ("/handle", {}),
        ("/handle", {"note": 5}),
        ("/resolve", {"outcome": "补发工资", "amount_recovered": 1.001}),
        ("/resolve", {"outcome": "补发工资", "workers_covered": "8"}),
        ("/close", {"note": "结案", "rating": 5}),
    ],
)
def test_malformed_steps_are_400_invalid_payload(client, demo, login, path, body):
    url = f"{API}/{_demo_case(demo, '张伟').id}{path}"
    response = client.post(url, headers=login("kangcun"), json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload", response.json
    assert client.post(url, headers=login("kangcun"), data="note=x").status_code == 415


def test_the_three_documents_through_the_api(client, demo, login):
    kangcun = login("kangcun")
    url = f"{API}/{_record(client, login('huojia'))['id']}"
    assert client.post(f"{url}/accept", headers=kangcun, json={}).status_code == 200
    assert client.post(f"{url}/opinion", headers=kangcun, json={}).status_code == 409  # not handling yet
    client.post(f"{url}/handle", headers=kangcun, json={"note": "约谈包工头和总包单位"})
    sent = client.post(f"{url}/opinion", headers=kangcun, json={"requests": ["十日内足额支付拖欠工资"]})
    assert sent.status_code == 200, sent.json
    notice, opinion = sent.json["documents"]
    assert (notice["label"], opinion["label"], opinion["addressed_to"]) == ("告知书", "意见书", "获嘉县某建筑工地")
    pdf = client.get(opinion["pdf"], headers=kangcun)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    word = client.get(notice["docx"], headers=kangcun)
    assert word.status_code == 200 and word.headers["Content-Disposition"].endswith(f"{notice['id']}.docx")
    assert client.get(opinion["pdf"], headers=login("chengguan")).status_code == 404
    refused = client.post(f"{url}/suggest", headers=kangcun, json={"department": "police", "reason": "no_answer"})
    assert refused.status_code == 400 and refused.json["error"]["field"] == "department"
    answered = client.post(f"{url}/answer", headers=kangcun, json={"note": "包工头书面答复：月底前结清"})
    assert answered.json["documents"][1]["answered_at"] is not None
    escalated = client.post(
        f"{url}/suggest", headers=kangcun, json={"department": "labour_inspection", "reason": "mediation_failed"}
    )
    assert (escalated.json["status"], escalated.json["department_label"]) == (
        "escalated",
        "人力资源和社会保障局劳动保障监察机构",
    )
    exports = demo.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "grievance_document"))
    assert list(exports) == ["export", "export"]


def test_an_escalated_case_leaves_notices_for_both_unions(client, demo, login):
    from models.grievance_cases import escalate_overdue

    made = _record(client, login("huojia"))
    case = demo.session.get(GrievanceCase, made["id"])
    escalate_overdue(demo.session, now=as_utc(case.deadline_at) + timedelta(minutes=1))
    huojia, kangcun = login("huojia"), login("kangcun")
    [above] = [n for n in client.get("/api/admin/notices", headers=huojia).json["notices"] if n["object_id"] == case.id]
    assert above["kind"] == "grievance_escalated" and made["number"] in above["text"] and above["read_at"] is None
    below = client.get("/api/admin/notices?unread=1", headers=kangcun).json["notices"]
    assert any(n["object_id"] == case.id and "已上报获嘉县总工会" in n["text"] for n in below)
    read = client.post(f"/api/admin/notices/{above['id']}/read", headers=huojia, json={})
    assert read.status_code == 200 and read.json["read_at"] is not None
    assert client.post(f"/api/admin/notices/{above['id']}/read", headers=kangcun, json={}).status_code == 404


def test_assign_mediate_and_write_to_the_worker_through_the_api(client, demo, login):
    huojia, kangcun = login("huojia"), login("kangcun")
    url = f"{API}/{_record(client, huojia)['id']}"
    early = client.post(f"{url}/assign", headers=kangcun, json={"legal_adviser": "李律师"})
    assert early.status_code == 409 and early.json["error"]["message"] == "案件当前为“已收到”，不能指派经办人或法律顾问"
    accepted = client.post(f"{url}/accept", headers=kangcun, json={}).json
    assert accepted["actions"] == ["assign", "handle", "mediate", "suggest"]
    sibling = client.post(f"{url}/assign", headers=huojia, json={"handler_id": demo.official("chengguan").id})
    assert sibling.status_code == 400 and sibling.json["error"] == {
        "code": "invalid",
        "message": "经办人应为获嘉县亢村镇工会或其上级工会的工作人员",
        "field": "handler_id",
    }
    body = {"handler_id": demo.official("huojia").id, "legal_adviser": "县总工会法律顾问团 李律师"}
    assigned = client.post(f"{url}/assign", headers=huojia, json=body)
    assert assigned.status_code == 200, assigned.json
    assert (assigned.json["handler"]["name"], assigned.json["legal_adviser"]) == (
        "获嘉县总工会干部",
        body["legal_adviser"],
    )
    mediation = {
        "held_on": today().isoformat(),
        "participants": "包工头、总包单位、镇工会",
        "agreement": "总包单位代付",
    }
    mediated = client.post(f"{url}/mediation", headers=kangcun, json=mediation)
    assert mediated.status_code == 200, mediated.json
    assert (mediated.json["status"], mediated.json["events"][-1]["action"]) == ("handling", "调解")
    assert mediated.json["events"][-1]["note"].endswith("达成协议：总包单位代付")
    failed = client.post(f"{url}/mediation", headers=kangcun, json=mediation | {"agreed": False})
    assert failed.json["events"][-1]["note"].endswith("未达成协议：总包单位代付")
    written = client.post(f"{url}/messages", headers=kangcun, json={"text": "王师傅您好，下周一到镇工会签调解书。"})
    assert written.status_code == 201, written.json
    first, last = written.json["messages"][0], written.json["messages"][-1]
    assert (first["by"], first["author"], first["text"]) == (
        "worker",
        "王建设（来访，获嘉县总工会干部代录）",
        WALK_IN["facts"],
    )
    assert (last["by"], last["author"], last["text"]) == (
        "union",
        "亢村镇工会干部",
        "王师傅您好，下周一到镇工会签调解书。",
    )
    assert (last["delivery"]["status"], last["delivery"]["channel"]) == ("pending", None)
    assert client.get(f"{url}/messages", headers=huojia).json == written.json
    chengguan = login("chengguan")
    for method, path, sent in (
        ("get", "/messages", None),
        ("post", "/messages", {"text": "您好"}),
        ("post", "/assign", {"legal_adviser": "王律师"}),
        ("post", "/mediation", mediation),
    ):
        response = getattr(client, method)(f"{url}{path}", headers=chengguan, json=sent)
        assert response.status_code == 404 and response.json["error"]["message"] == "未找到该维权案件", path
    viewer = login("xinxiang-viewer")
    assert client.post(f"{url}/messages", headers=viewer, json={"text": "您好"}).status_code == 403
    assert client.post(f"{url}/mediation", headers=viewer, json=mediation).status_code == 403


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/assign", {"handler_id": "3"}),
        ("/assign", {"legal_adviser": "律" * 51}),
        ("/mediation", {"held_on": "明天", "participants": "双方", "agreement": "补发"}),
        ("/mediation", {"held_on": "2026-01-05", "participants": "双方", "agreement": "补发", "agreed": "yes"}),
        ("/mediation", {"participants": "双方", "agreement": "补发"}),
        ("/messages", {"text": "字" * 501}),
        ("/messages", {"text": "您好", "urgent": True}),
        ("/opinion", {"answer_by": "下周"}),
        ("/opinion", {"laws": ["法" * 101]}),
    ],
)
def test_malformed_new_steps_are_400_invalid_payload(client, demo, login, path, body):
    response = client.post(f"{API}/{_demo_case(demo, '张伟').id}{path}", headers=login("kangcun"), json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload", response.json


def test_the_queue_searches_and_shows_open_cases_only_on_request(client, demo, login):
    huojia = login("huojia")
    zhang_wei = _demo_case(demo, "张伟")
    found = client.get(API, headers=huojia, query_string={"q": zhang_wei.number.lower()}).json["cases"]
    assert [c["id"] for c in found] == [zhang_wei.id]
    by_employer = client.get(API, headers=huojia, query_string={"q": "恒达"}).json["cases"]
    assert {c["employer"]["name"] for c in by_employer} == {"获嘉县恒达机械有限公司"} and len(by_employer) == 2
    open_cases = client.get(f"{API}?open=1", headers=huojia).json["cases"]
    assert len(open_cases) == 3 and "closed" not in {c["status"] for c in open_cases}


def test_an_opinion_with_the_laws_and_deadline_the_official_chose(client, demo, login):
    kangcun = login("kangcun")
    url = f"{API}/{_demo_case(demo, '张伟').id}"
    body = {"laws": ["《中华人民共和国劳动合同法》第四十六条"], "answer_by": (today() + timedelta(days=7)).isoformat()}
    sent = client.post(f"{url}/opinion", headers=kangcun, json=body)
    assert sent.status_code == 200, sent.json
    opinion = sent.json["documents"][-1]
    assert opinion["label"] == "意见书" and opinion["deadline"] == _end_of_day(7) == sent.json["deadline_at"]
    assert sent.json["actions"] == ["answer", "assign", "mediate", "resolve", "suggest"]
    word = client.get(opinion["docx"], headers=kangcun)
    assert word.status_code == 200 and word.data[:2] == b"PK"
