"""Grievance routing: each rule with the demo data, the reason in words, rules an admin can change."""

from __future__ import annotations

import pytest

from models.errors import Forbidden, Invalid
from models.grievance_routing import COUNTY, INDUSTRY_UNION, OWN_UNION, TOWNSHIP, active_rules, route, set_rules


@pytest.mark.parametrize(
    ("employer", "place", "union", "reason"),
    [
        # 1. the employer's own union
        ("新乡医学院第一附属医院", {}, "新乡医学院第一附属医院工会", "企业建有工会"),
        ("开滦集团", {}, "开滦集团工会", "企业建有工会"),
        # 2. no union of its own: the industry union of its industry in the city (schools → 教育)
        ("新乡市第一中学", {}, "新乡市教育系统产业工会", "行业：教育"),
        # 3. else the township union of its place
        ("获嘉县恒达机械有限公司", {}, "获嘉县亢村镇工会", "属地：亢村镇"),
        ("凤泉区宝源化工有限公司", {}, "凤泉区大块镇工会", "属地：大块镇"),
        # an employer we do not know, described by the worker
        (None, {"township": "亢村镇", "county": "获嘉县"}, "获嘉县亢村镇工会", "属地：亢村镇"),
        (None, {"address": "获嘉县照镜镇107国道东侧"}, "获嘉县照镜镇工会", "属地：照镜镇"),
        (None, {"township": "亢村", "industry": "教育"}, "新乡市教育系统产业工会", "行业：教育"),
        # 4. the township is unknown: the county union; nothing known: the city union
        (None, {"county": "获嘉县", "township": "不存在镇"}, "获嘉县总工会", "属地：获嘉县"),
        (None, {"county": "红旗区"}, "红旗区总工会", "属地：红旗区"),
        (None, {"address": "某地某路"}, "新乡市总工会", "属地不明，由新乡市总工会受理"),
    ],
)
def test_each_rule_routes_to_the_responsible_union(demo, employer, place, union, reason):
    enterprise = demo.enterprise(employer) if employer else None
    found = route(demo.session, enterprise=enterprise, **place)
    assert (found.union.name, found.reason) == (union, reason)


def test_an_admin_of_the_top_union_can_reorder_and_switch_off_rules(demo):
    session = demo.session
    school = demo.enterprise("新乡市第一中学")
    assert active_rules(session) == [OWN_UNION, INDUSTRY_UNION, TOWNSHIP, COUNTY]
    # Places before industries: the school goes to the union of its district.
    assert set_rules(session, demo.actor("xinxiang-admin"), [OWN_UNION, TOWNSHIP, COUNTY, INDUSTRY_UNION]) == [
        OWN_UNION,
        TOWNSHIP,
        COUNTY,
        INDUSTRY_UNION,
    ]
    assert route(session, enterprise=school).union.name == "卫滨区总工会"
    set_rules(session, demo.actor("xinxiang-admin"), [INDUSTRY_UNION, COUNTY])  # own unions and townships off
    assert route(session, enterprise=demo.enterprise("新乡医学院第一附属医院")).union.name == "卫辉市总工会"
    assert route(session, enterprise=demo.enterprise("获嘉县恒达机械有限公司")).reason == "属地：获嘉县"
    session.commit()
    with pytest.raises(Forbidden):  # a county's officials cannot change the city's rules
        set_rules(session, demo.actor("huojia"), [COUNTY])
    with pytest.raises(Invalid):
        set_rules(session, demo.actor("xinxiang-admin"), [COUNTY, COUNTY])
    with pytest.raises(Invalid):
        set_rules(session, demo.actor("xinxiang-admin"), ["by_mood"])
