"""Officials' training API: menu, orders and demand, classes with quotas, enterprises' lists (JSON and Excel),
rosters and their export, attendance, certificates and ratings, within scope and with strict bodies."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from models.audit import AuditEntry
from models.base import LOCAL_TZ, today
from models.notifications import Notification
from models.training import Enrolment, Topic, TrainingClass
from models.training_enrolments import check_in, enrol, rate
from models.workers import create_worker

API = "/api/admin/training"
COAL = "劳动保护知识（煤炭行业）"
PAST_COAL = "煤炭行业“菜单式”劳动保护知识培训班（第一期）"
FIRST_AID = "应急救护培训班（第一期）"

NEW_TOPIC = {
    "title": "新版煤矿安全规程",
    "industry": "煤炭",
    "description": "新版《煤矿安全规程》逐条解读。",
    "experts": ["省安监局专家"],
    "days": 3,
    "hours": 6,
    "audience": "工会干部、一线群监员",
}


def _closes(days: int) -> str:
    """Midnight (Beijing time) `days` from today, as the console sends it."""
    return datetime.combine(today() + timedelta(days=days), time(), LOCAL_TZ).isoformat()


def new_class(topic_id: int, **changes) -> dict:
    return {
        "topic_id": topic_id,
        "starts_on": (today() + timedelta(days=20)).isoformat(),
        "ends_on": (today() + timedelta(days=22)).isoformat(),
        "place": "秦皇岛市北戴河区 河北省总工会职工培训基地",
        "capacity": 100,
        "registration_closes": _closes(10),
    } | changes


def trainees(count: int, start: int = 0, role: str | None = "群监员") -> list[dict]:
    return [{"name": f"学员{n}", "phone": f"1393156{n:04d}", "role": role} for n in range(start, start + count)]


def _topic(demo, title: str) -> Topic:
    return demo.session.scalars(select(Topic).where(Topic.title == title)).one()


def _class(demo, title: str) -> TrainingClass:
    return demo.session.scalars(select(TrainingClass).where(TrainingClass.title == title)).one()


def _miner(demo, n: int, enterprise: str = "冀中能源集团"):
    worker = create_worker(
        demo.session, name=f"矿工{n}", phone=f"1393155{n:04d}", employer_id=demo.enterprise(enterprise).id
    )
    demo.session.commit()
    return worker


def _open_class(client, hebei: dict, demo, **changes) -> dict:
    """A 河北 coal class 20 days ahead, scheduled through the API."""
    made = client.post(f"{API}/classes", headers=hebei, json=new_class(_topic(demo, COAL).id, **changes))
    assert made.status_code == 201, made.json
    return made.json


def _audit(demo, object_type: str) -> list[tuple[str, str]]:
    demo.session.expire_all()
    query = select(AuditEntry).where(AuditEntry.object_type == object_type).order_by(AuditEntry.id)
    return [(e.actor, e.action) for e in demo.session.scalars(query)]


def test_topics_are_the_menus_of_the_unions_in_scope(client, demo, login):
    hebei = login("hebei-admin")
    made = client.post(f"{API}/topics", headers=hebei, json=NEW_TOPIC)
    assert made.status_code == 201, made.json
    topic = made.json
    assert (topic["union"]["name"], topic["industry"], topic["experts"], topic["active"]) == (
        "河北省总工会",
        "煤炭",
        ["省安监局专家"],
        True,
    )
    listed = client.get(f"{API}/topics", headers=hebei).json["topics"]
    assert len(listed) == 6 and topic["id"] in [t["id"] for t in listed]
    assert {
        t["union"]["name"] for t in client.get(f"{API}/topics", headers=login("xinxiang-admin")).json["topics"]
    } == {"新乡市总工会"}
    assert client.get(f"{API}/topics", headers=login("kailuan")).json == {"topics": []}
    again = client.post(f"{API}/topics", headers=hebei, json=NEW_TOPIC)
    assert again.status_code == 409 and again.json["error"]["field"] == "title"
    changed = client.patch(f"{API}/topics/{topic['id']}", headers=hebei, json={"industry": None, "active": False})
    assert (changed.json["industry"], changed.json["active"]) == (None, False)
    assert client.get(f"{API}/topics", headers=hebei).json["topics"][-1]["id"] == topic["id"]  # off the menu: last
    elsewhere = client.patch(f"{API}/topics/{topic['id']}", headers=login("xinxiang-admin"), json={"days": 2})
    assert elsewhere.status_code == 404 and elsewhere.json["error"]["message"] == "未找到该培训科目"


def test_enterprises_order_topics_with_a_headcount(client, demo, login):
    coal = _topic(demo, COAL)
    kailuan, jizhong = demo.enterprise("开滦集团"), demo.enterprise("冀中能源集团")
    order = {"enterprise_id": kailuan.id, "topic_id": coal.id, "headcount": 80, "note": "一半工会干部，一半群监员"}
    first = client.post(f"{API}/orders", headers=login("kailuan"), json=order)
    assert first.status_code == 200 and first.json["headcount"] == 80
    again = client.post(f"{API}/orders", headers=login("kailuan"), json=order | {"headcount": 83})
    assert again.json["id"] == first.json["id"] and again.json["headcount"] == 83  # ordering again updates it
    jizhong_order = {"enterprise_id": jizhong.id, "topic_id": coal.id, "headcount": 30}
    assert client.post(f"{API}/orders", headers=login("jizhong"), json=jizhong_order).status_code == 200
    orders = client.get(f"{API}/topics/{coal.id}/orders", headers=login("hebei-admin")).json["orders"]
    assert [(o["enterprise"]["name"], o["headcount"], o["note"]) for o in orders] == [
        ("开滦集团", 83, "一半工会干部，一半群监员"),
        ("冀中能源集团", 30, ""),
    ]
    not_theirs = client.post(f"{API}/orders", headers=login("kailuan"), json=jizhong_order)
    assert not_theirs.status_code == 404 and not_theirs.json["error"]["field"] == "enterprise_id"
    textiles = order | {"topic_id": _topic(demo, "安全生产知识（纺织企业）").id}
    wrong = client.post(f"{API}/orders", headers=login("kailuan"), json=textiles)
    assert wrong.status_code == 400 and wrong.json["error"]["message"] == "该科目面向纺织行业"
    assert client.get(f"{API}/topics/{coal.id}/orders", headers=login("kailuan")).status_code == 404
    rows = client.get(f"{API}/demand", headers=login("hebei-admin")).json["demand"]
    assert rows[0] | {"industries": None} == {
        "title": COAL,
        "topic_id": coal.id,
        "worker_orders": 1,  # 李建国 (demo)
        "enterprise_orders": 2,
        "enterprise_headcount": 113,
        "survey_votes": 0,
        "requests": 0,
        "total": 114,
        "industries": None,
    }


def test_demand_ranks_the_demo_orders_and_wishes(client, demo, login):
    body = client.get(f"{API}/demand", headers=login("xinxiang-admin")).json
    ranked = [(r["title"], r["topic_id"] is not None, r["total"]) for r in body["demand"]]
    # 赵敏 ordered 职业病防治 and 宝源化工 would send 20; 张伟 and 刘洋 ordered 应急救护; two wishes for 电工.
    assert ranked[:4] == [
        ("职业病防治", True, 21),
        ("应急救护", True, 2),
        ("电工安全操作", False, 2),
        ("纺织机械安全防护", False, 1),
    ]
    assert {title for title, on_menu, total in ranked[4:]} == {
        "新版安全规程",
        "劳动保护法律法规",
        "事故隐患排查",
        "群监员工作实务",
    }
    disease = body["demand"][0]
    assert (disease["worker_orders"], disease["enterprise_orders"], disease["enterprise_headcount"]) == (1, 1, 20)
    electric = body["demand"][2]
    assert (electric["requests"], electric["industries"]) == (2, ["制造业", "建材"])
    textiles = client.get(f"{API}/demand?industry=纺织", headers=login("hebei-admin")).json
    assert textiles["industry"] == "纺织"
    assert [r["title"] for r in textiles["demand"]] == ["安全生产知识（纺织企业）"]
    assert client.get(f"{API}/demand", headers=login("kailuan")).json["demand"] == []


def test_an_official_runs_a_class_from_quota_to_ratings(client, demo, login):
    hebei, kailuan_official = login("hebei-admin"), login("kailuan")
    kailuan = demo.enterprise("开滦集团")
    training = _open_class(client, hebei, demo, capacity=6)
    class_id = training["id"]
    assert (training["hours"], training["experts"][0], training["open_seats"]) == (6, "省安监局专家（煤矿安全规程）", 6)
    assert training["title"] == COAL and len(training["checkin_code"]) == 6
    quota = client.put(f"{API}/classes/{class_id}/quotas/{kailuan.id}", headers=hebei, json={"seats": 5})
    assert quota.status_code == 200, quota.json
    assert (quota.json["seats"], quota.json["left"], quota.json["class"]["open_left"]) == (5, 5, 1)
    # 开滦's union finds its places and sends its list; a second list adds only the new people.
    mine = client.get(f"{API}/quotas", headers=kailuan_official).json["quotas"]
    assert [(q["class"]["id"], q["enterprise"]["name"], q["left"]) for q in mine if q["class"]["id"] == class_id] == [
        (class_id, "开滦集团", 5)
    ]
    url = f"{API}/classes/{class_id}/enrolments"
    sent = client.post(url, headers=kailuan_official, json={"enterprise_id": kailuan.id, "trainees": trainees(3)})
    assert sent.status_code == 201, sent.json
    assert [(e["worker"]["name"], e["worker"]["phone"], e["status"]) for e in sent.json["enrolled"]] == [
        (f"学员{n}", f"139****000{n}", "confirmed") for n in range(3)
    ]
    assert (sent.json["quota"]["used"], sent.json["quota"]["left"]) == (3, 2)
    more = client.post(url, headers=kailuan_official, json={"enterprise_id": kailuan.id, "trainees": trainees(4)})
    assert (len(more.json["enrolled"]), len(more.json["already"]), more.json["quota"]["left"]) == (1, 3, 1)
    over = client.post(url, headers=kailuan_official, json={"enterprise_id": kailuan.id, "trainees": trainees(2, 10)})
    assert over.status_code == 409
    assert over.json["error"] == {
        "code": "quota_exceeded",
        "message": "开滦集团的名额还剩1个，本次名单新增2人，超出名额",
        "field": "trainees",
        "left": 1,
    }
    # Two 冀中能源 miners sign up themselves for the one open place: the second waits.
    first, second = (enrol(demo.session, worker=_miner(demo, n), class_id=class_id) for n in (1, 2))
    roster = client.get(url, headers=hebei).json
    assert roster["class"]["id"] == class_id
    assert [
        (r["name"], r["phone"], r["enterprise"], r["role"], r["status"], r["waitlist"]) for r in roster["enrolments"]
    ] == [
        ("学员0", "13931560000", "开滦集团", "群监员", "confirmed", None),
        ("学员1", "13931560001", "开滦集团", "群监员", "confirmed", None),
        ("学员2", "13931560002", "开滦集团", "群监员", "confirmed", None),
        ("学员3", "13931560003", "开滦集团", "群监员", "confirmed", None),
        ("矿工1", "13931550001", "冀中能源集团", None, "confirmed", None),
        ("矿工2", "13931550002", "冀中能源集团", None, "waitlisted", 1),
    ]
    sheet = load_workbook(BytesIO(client.get(f"{url}.xlsx", headers=hebei).data)).active
    assert sheet["A1"].value.startswith(COAL) and "报名名单" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == ["状态", "候补顺位", "姓名", "手机号", "单位", "岗位", "签到时间", "证书编号"]
    assert [c.value for c in sheet[3]][:6] == ["已报名", None, "学员0", "13931560000", "开滦集团", "群监员"]
    assert [c.value for c in sheet[8]][:3] == ["候补中", 1, "矿工2"]
    own = client.get(f"{API}/classes/{class_id}/enterprises/{kailuan.id}/enrolments", headers=kailuan_official)
    assert [r["name"] for r in own.json["enrolments"]] == ["学员0", "学员1", "学员2", "学员3"]
    # 开滦 takes one person off (the place returns to its quota); the organiser frees the open place.
    dropped = roster["enrolments"][3]["enrolment_id"]
    gone = client.post(f"{API}/enrolments/{dropped}/cancel", headers=kailuan_official)
    assert (gone.json["enrolment"]["status"], gone.json["promoted"]) == ("cancelled", None)
    freed = client.post(f"{API}/enrolments/{first.id}/cancel", headers=hebei).json
    assert (freed["promoted"]["id"], freed["promoted"]["status"]) == (second.id, "confirmed")
    detail = client.get(f"{API}/classes/{class_id}", headers=hebei).json
    assert detail["counts"] == {"confirmed": 4, "waitlisted": 0, "cancelled": 2, "checked_in": 0}
    assert detail["quotas"] == [
        {"enterprise": {"id": kailuan.id, "name": "开滦集团"}, "seats": 5, "used": 3, "left": 2}
    ]
    assert _audit(demo, "training_enrolments") == [
        ("hebei-admin", "view"),
        ("hebei-admin", "export"),
        ("kailuan", "view"),
    ]
    # The class takes place: one checks in with the code, two are marked present, the miner rates it.
    row = demo.session.get(TrainingClass, class_id)
    row.starts_on, row.ends_on = today() - timedelta(days=2), today()
    demo.session.commit()
    check_in(demo.session, worker=second.worker, class_id=class_id, code=detail["checkin_code"])
    for enrolment_id in (roster["enrolments"][0]["enrolment_id"], roster["enrolments"][2]["enrolment_id"]):
        marked = client.post(f"{API}/enrolments/{enrolment_id}/check-in", headers=hebei)
        assert marked.status_code == 200 and marked.json["checked_in_at"] is not None
    rate(demo.session, worker=second.worker, class_id=class_id, score=5, comment="案例讲得透，回矿后给班组讲")
    issued = client.post(f"{API}/classes/{class_id}/certificates", headers=hebei)
    assert issued.status_code == 200, issued.json
    prefix = f"PX{row.starts_on:%Y}{class_id:04d}"
    assert [(c["certificate_no"], c["name"], c["hours"]) for c in issued.json["certificates"]] == [
        (f"{prefix}0001", "学员0", 6),
        (f"{prefix}0002", "学员2", 6),
        (f"{prefix}0003", "矿工2", 6),
    ]
    listed = client.get(f"{API}/classes/{class_id}/certificates", headers=hebei).json["certificates"]
    assert listed == issued.json["certificates"]
    sheet = load_workbook(BytesIO(client.get(f"{API}/classes/{class_id}/certificates.xlsx", headers=hebei).data)).active
    assert [c.value for c in sheet[2]] == ["证书编号", "姓名", "单位", "岗位", "课时"]
    assert [c.value for c in sheet[5]] == [f"{prefix}0003", "矿工2", "冀中能源集团", None, 6]
    summary = client.get(f"{API}/classes/{class_id}/ratings", headers=hebei).json
    assert (summary["attendees"], summary["rated"], summary["average"]) == (3, 1, 5.0)
    assert summary["distribution"] == [{"score": s, "count": int(s == 5)} for s in range(1, 6)]
    assert summary["comments"] == [{"rating": 5, "comment": "案例讲得透，回矿后给班组讲"}]
    assert _audit(demo, "training_comments") == [("hebei-admin", "view")]
    roster = client.get(url, headers=hebei).json["enrolments"]
    assert [(r["name"], r["rated"], r["certificate_no"] is not None) for r in roster if r["checked_in_at"]] == [
        ("学员0", False, True),
        ("学员2", False, True),
        ("矿工2", True, True),
    ]


def test_an_enterprise_list_can_be_an_excel_file(client, demo, login):
    hebei, kailuan_official = login("hebei-admin"), login("kailuan")
    kailuan = demo.enterprise("开滦集团")
    class_id = _open_class(client, hebei, demo)["id"]
    client.put(f"{API}/classes/{class_id}/quotas/{kailuan.id}", headers=hebei, json={"seats": 83})

    def upload(*rows, enterprise_id=kailuan.id):
        book = Workbook()
        for row in (["开滦集团参训名单"], ["姓名", "手机号", "岗位"], *rows):
            book.active.append(list(row))
        buffer = BytesIO()
        book.save(buffer)
        data = {"enterprise_id": str(enterprise_id), "file": (BytesIO(buffer.getvalue()), "名单.xlsx")}
        url = f"{API}/classes/{class_id}/enrolments"
        return client.post(url, headers=kailuan_official, data=data, content_type="multipart/form-data")

    sent = upload(("王建军", 13931580100, "工会干部"), (), ("李志强", "139-3158-0101", None))
    assert sent.status_code == 201, sent.json
    assert [(e["worker"]["name"], e["role"]) for e in sent.json["enrolled"]] == [
        ("王建军", "工会干部"),
        ("李志强", None),
    ]
    assert sent.json["quota"]["left"] == 81
    bad = upload(("赵海波", "13931580102", "群监员"), ("孙立新", "1393158", "群监员"))
    assert bad.status_code == 400
    assert (bad.json["error"]["field"], bad.json["error"]["row"]) == ("file", 4)
    assert bad.json["error"]["message"] == "第4行：请输入正确的11位手机号码"
    wrong_role = upload(("赵海波", "13931580102", "矿长"))
    assert wrong_role.json["error"]["message"].startswith("第3行：岗位应为一线职工、群监员")
    missing = upload(("赵海波", None, "群监员"))
    assert (missing.status_code, missing.json["error"]["message"]) == (400, "第3行：请填写姓名和手机号")
    not_excel = client.post(
        f"{API}/classes/{class_id}/enrolments",
        headers=kailuan_official,
        data={"enterprise_id": str(kailuan.id), "file": (BytesIO(b"name,phone\n"), "名单.csv")},
        content_type="multipart/form-data",
    )
    assert not_excel.status_code == 400 and "Excel" in not_excel.json["error"]["message"]
    no_file = client.post(
        f"{API}/classes/{class_id}/enrolments",
        headers=kailuan_official,
        data={"enterprise_id": str(kailuan.id)},
        content_type="multipart/form-data",
    )
    assert no_file.status_code == 400 and no_file.json["error"]["field"] == "file"
    assert upload(("赵海波", "13931580102"), enterprise_id=demo.enterprise("冀中能源集团").id).status_code == 404
    assert len(client.get(f"{API}/classes/{class_id}/enrolments", headers=hebei).json["enrolments"]) == 2


def test_officials_see_only_their_unions_classes_and_viewers_only_read(client, demo, login):
    coal = _class(demo, "煤炭行业“菜单式”劳动保护知识培训班（第二期）")
    city, viewer = login("xinxiang-admin"), login("xinxiang-viewer")
    for path in ("", "/enrolments", "/enrolments.xlsx", "/certificates", "/ratings"):
        response = client.get(f"{API}/classes/{coal.id}{path}", headers=city)
        assert response.status_code == 404 and response.json["error"]["message"] == "未找到该培训班", path
    for path in ("/checkin-code", "/certificates"):
        assert client.post(f"{API}/classes/{coal.id}{path}", headers=city).status_code == 404
    kailuan = demo.enterprise("开滦集团")
    quota = client.put(f"{API}/classes/{coal.id}/quotas/{kailuan.id}", headers=city, json={"seats": 1})
    assert quota.status_code == 404
    assert coal.id not in [c["id"] for c in client.get(f"{API}/classes", headers=city).json["classes"]]
    # An enterprise's union fills and reads its own list only, and does not run the class.
    assert client.get(f"{API}/classes/{coal.id}", headers=login("kailuan")).status_code == 404
    jizhong = login("jizhong")
    assert (
        client.get(f"{API}/classes/{coal.id}/enterprises/{kailuan.id}/enrolments", headers=jizhong).status_code == 404
    )
    sent = client.post(
        f"{API}/classes/{coal.id}/enrolments",
        headers=jizhong,
        json={"enterprise_id": kailuan.id, "trainees": trainees(1)},
    )
    assert sent.status_code == 404 and sent.json["error"]["message"] == "未找到该企业"
    # A 新乡 class is not 开滦's to have places in: the enterprise is out of its reach, and is not revealed.
    first_aid = _class(demo, FIRST_AID)
    out_of_reach = client.put(f"{API}/classes/{first_aid.id}/quotas/{kailuan.id}", headers=city, json={"seats": 5})
    assert out_of_reach.status_code == 404 and "开滦" not in out_of_reach.get_data(as_text=True)
    # The viewer reads everything of the city union but changes nothing, and is not shown the check-in code.
    detail = client.get(f"{API}/classes/{first_aid.id}", headers=viewer)
    assert detail.status_code == 200 and detail.json["checkin_code"] is None
    assert len(client.get(f"{API}/classes/{first_aid.id}", headers=city).json["checkin_code"]) == 6
    topic = _topic(demo, "应急救护")
    writes = [
        ("post", f"{API}/topics", NEW_TOPIC | {"industry": None}),
        ("patch", f"{API}/topics/{topic.id}", {"days": 2}),
        ("post", f"{API}/classes", new_class(topic.id, place="新乡市职工服务中心")),
        ("patch", f"{API}/classes/{first_aid.id}", {"capacity": 80}),
        ("post", f"{API}/classes/{first_aid.id}/cancel", {"reason": "专家临时有事"}),
        ("put", f"{API}/classes/{first_aid.id}/quotas/{demo.enterprise('凤泉区宝源化工有限公司').id}", {"seats": 5}),
        ("post", f"{API}/classes/{first_aid.id}/checkin-code", None),
        ("post", f"{API}/classes/{first_aid.id}/certificates", None),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, headers=viewer, json=body)
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden", url
    assert client.application.test_client().get(f"{API}/topics").status_code == 401


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/topics", NEW_TOPIC | {"title": ""}),
        ("/topics", NEW_TOPIC | {"title": "规程\x00"}),
        ("/topics", NEW_TOPIC | {"days": "3"}),  # strict: no coercion
        ("/topics", NEW_TOPIC | {"industry": "煤" * 31}),
        ("/topics", NEW_TOPIC | {"experts": [""]}),
        ("/topics", NEW_TOPIC | {"colour": "red"}),
        ("/classes", {"topic_id": 1, "starts_on": "2027-01-01"}),
        ("/classes", new_class(1, registration_closes="2027-01-01T00:00:00")),  # no time zone
        ("/classes", new_class(1, starts_on="2027-13-01")),
        ("/classes", new_class(0)),
        ("/classes", new_class(1, capacity=1.5)),
        ("/classes", new_class(1, place="   ")),
        ("/orders", {"enterprise_id": 1, "topic_id": 1, "headcount": True}),
        ("/classes/1/enrolments", {"enterprise_id": 1, "trainees": []}),
        ("/classes/1/enrolments", {"enterprise_id": "1", "trainees": trainees(1)}),
        ("/classes/1/enrolments", {"enterprise_id": 1, "trainees": [trainees(1)[0] | {"id_number": "x"}]}),
        ("/classes/1/cancel", {"reason": 5}),
    ],
)
def test_malformed_bodies_are_400_invalid_payload(client, demo, login, path, body):
    response = client.post(f"{API}{path}", headers=login("hebei-admin"), json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"
    assert response.json["error"]["message"] == "提交的信息不完整或格式有误" and response.json["error"]["fields"]


def test_patches_refuse_null_and_unknown_fields(client, demo, login):
    hebei = login("hebei-admin")
    topic, coal = _topic(demo, COAL), _class(demo, "煤炭行业“菜单式”劳动保护知识培训班（第二期）")
    for url, body in (
        (f"{API}/topics/{topic.id}", {"title": None}),
        (f"{API}/classes/{coal.id}", {"capacity": None}),
        (f"{API}/classes/{coal.id}", {"checkin_code": "123456"}),
    ):
        response = client.patch(url, headers=hebei, json=body)
        assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload", body
    assert client.put(f"{API}/classes/{coal.id}/quotas/1", headers=hebei, data="seats=5").status_code == 415


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts_on": today().isoformat()}, "starts_on", "开班日期应晚于今天"),
        ({"ends_on": (today() + timedelta(days=19)).isoformat()}, "ends_on", "开班日期应不晚于结业日期"),
        ({"registration_closes": _closes(21)}, "registration_closes", "报名截止时间应不晚于开班当天0点"),
        ({"registration_closes": _closes(-1)}, "registration_closes", "报名截止时间应晚于现在"),
        ({"capacity": 0}, "capacity", "名额应在1到2000之间"),
        ({"hours": 201}, "hours", "课时应在1到200之间"),
    ],
)
def test_rule_breaking_classes_are_400_with_a_chinese_message(client, demo, login, changes, field, message):
    response = client.post(
        f"{API}/classes", headers=login("hebei-admin"), json=new_class(_topic(demo, COAL).id, **changes)
    )
    error = response.json["error"]
    assert response.status_code == 400 and (error["code"], error["field"], error["message"]) == (
        "invalid",
        field,
        message,
    )


def test_a_list_with_a_bad_row_is_refused_whole_and_names_the_row(client, demo, login):
    hebei, kailuan = login("hebei-admin"), demo.enterprise("开滦集团")
    class_id = _open_class(client, hebei, demo)["id"]
    client.put(f"{API}/classes/{class_id}/quotas/{kailuan.id}", headers=hebei, json={"seats": 10})
    url = f"{API}/classes/{class_id}/enrolments"
    for people, message in (
        ([*trainees(1), {"name": "学员九", "phone": "12345"}], "第2行：请输入正确的11位手机号码"),
        ([*trainees(1), *trainees(1)], "第2行：手机号与前面重复"),
        (trainees(1, role="矿长"), "第1行：岗位应为一线职工、群监员、班组长、工会干部、安全管理人员之一"),
    ):
        response = client.post(url, headers=login("kailuan"), json={"enterprise_id": kailuan.id, "trainees": people})
        error = response.json["error"]
        assert response.status_code == 400 and (error["field"], error["message"]) == ("trainees", message)
    stranger = _miner(demo, 9)  # a 冀中能源 miner on 开滦's list
    foreign = {"enterprise_id": kailuan.id, "trainees": [{"name": "矿工9", "phone": stranger.phone}]}
    response = client.post(url, headers=login("kailuan"), json=foreign)
    assert response.status_code == 403 and response.json["error"]["message"] == "第1行：矿工9不是开滦集团的职工"
    assert client.get(url, headers=hebei).json["enrolments"] == []
    no_quota = client.post(
        url,
        headers=login("jizhong"),
        json={"enterprise_id": demo.enterprise("冀中能源集团").id, "trainees": trainees(1)},
    )
    assert no_quota.status_code == 404 and no_quota.json["error"]["message"] == "该企业在这个培训班没有名额"


def test_a_class_is_changed_then_called_off(client, demo, login):
    hebei, kailuan = login("hebei-admin"), demo.enterprise("开滦集团")
    training = _open_class(client, hebei, demo)
    class_id = training["id"]
    client.put(f"{API}/classes/{class_id}/quotas/{kailuan.id}", headers=hebei, json={"seats": 83})
    listed = client.get(f"{API}/classes?topic_id={_topic(demo, COAL).id}", headers=hebei).json["classes"]
    assert [c["title"] for c in listed] == [COAL, "煤炭行业“菜单式”劳动保护知识培训班（第二期）", PAST_COAL]
    assert client.get(f"{API}/classes?topic_id=x", headers=hebei).status_code == 400
    changed = client.patch(
        f"{API}/classes/{class_id}", headers=hebei, json={"title": "新版规程专题班", "capacity": 90, "place": "唐山市"}
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["title"], changed.json["capacity"], changed.json["open_seats"]) == ("新版规程专题班", 90, 7)
    too_small = client.patch(f"{API}/classes/{class_id}", headers=hebei, json={"capacity": 80})
    assert too_small.status_code == 409 and too_small.json["error"]["field"] == "capacity"
    past = client.patch(f"{API}/classes/{class_id}", headers=hebei, json={"starts_on": today().isoformat()})
    assert past.status_code == 400 and past.json["error"]["message"] == "开班日期应晚于今天"
    code = changed.json["checkin_code"]
    renewed = client.post(f"{API}/classes/{class_id}/checkin-code", headers=hebei).json["checkin_code"]
    assert len(renewed) == 6 and renewed.isdigit()
    assert code != renewed or demo.session.get(TrainingClass, class_id).checkin_code == renewed
    sent = client.post(
        f"{API}/classes/{class_id}/enrolments",
        headers=login("kailuan"),
        json={"enterprise_id": kailuan.id, "trainees": trainees(2)},
    )
    assert sent.status_code == 201
    no_reason = client.post(f"{API}/classes/{class_id}/cancel", headers=hebei, json={"reason": "无"})
    assert no_reason.status_code == 400 and no_reason.json["error"]["field"] == "reason"
    called_off = client.post(
        f"{API}/classes/{class_id}/cancel", headers=hebei, json={"reason": "专家行程冲突，另行通知"}
    )
    assert called_off.status_code == 200, called_off.json
    assert called_off.json["notified"] == 2 and called_off.json["class"]["cancelled"] is True
    kinds = demo.session.scalars(select(Notification.kind).where(Notification.kind == "training_cancelled")).all()
    assert len(kinds) == 2
    again = client.post(f"{API}/classes/{class_id}/cancel", headers=hebei, json={"reason": "专家行程冲突，另行通知"})
    assert again.status_code == 409
    late = client.put(f"{API}/classes/{class_id}/quotas/{kailuan.id}", headers=hebei, json={"seats": 90})
    assert late.status_code == 409 and late.json["error"]["message"] == "该培训班已取消"
    row = demo.session.get(TrainingClass, class_id)
    row.starts_on = today()
    demo.session.commit()
    enrolment = demo.session.scalars(select(Enrolment).where(Enrolment.class_id == class_id)).first()
    refused = client.post(f"{API}/enrolments/{enrolment.id}/check-in", headers=hebei)
    assert refused.status_code == 409 and refused.json["error"]["message"] == "该培训班已取消"
    kailuan_quotas = client.get(f"{API}/quotas", headers=login("kailuan")).json["quotas"]
    assert next(q for q in kailuan_quotas if q["class"]["id"] == class_id)["class"]["cancelled"] is True


def test_the_demo_class_held_in_june_has_certificates_and_ratings(client, demo, login):
    hebei, past = login("hebei-admin"), _class(demo, PAST_COAL)
    certificates = client.get(f"{API}/classes/{past.id}/certificates", headers=hebei).json["certificates"]
    assert len(certificates) == 16  # 11 of 开滦's 12 came, 5 of 冀中能源's 6
    assert [c["certificate_no"] for c in certificates[:2]] == [f"PX2026{past.id:04d}0001", f"PX2026{past.id:04d}0002"]
    again = client.post(f"{API}/classes/{past.id}/certificates", headers=hebei).json["certificates"]
    assert again == certificates  # none new
    summary = client.get(f"{API}/classes/{past.id}/ratings", headers=hebei).json
    assert (summary["attendees"], summary["rated"], summary["average"]) == (16, 12, 4.67)
    assert [d["count"] for d in summary["distribution"]] == [0, 0, 0, 4, 8]
    assert {c["comment"] for c in summary["comments"]} >= {"专家结合事故案例讲，很解渴。"}
    assert all(set(c) == {"rating", "comment"} for c in summary["comments"])  # no names
    upcoming = client.post(f"{API}/classes/{_class(demo, FIRST_AID).id}/certificates", headers=login("xinxiang-admin"))
    assert upcoming.status_code == 409 and upcoming.json["error"]["message"] == "培训班结业后才能发放结业证书"
    assert past.id not in [q["class"]["id"] for q in client.get(f"{API}/quotas", headers=hebei).json["quotas"]]
