"""The union tree, and which union a place belongs to."""

from __future__ import annotations

import pytest

from models import organisation
from models.errors import Conflict, Forbidden, Invalid
from models.unions import UnionKind, ancestors, subtree_ids, union_for_place

HUOJIA_TOWNSHIPS = [
    "城关镇",
    "亢村镇",
    "照镜镇",
    "黄堤镇",
    "中和镇",
    "徐营镇",
    "冯庄镇",
    "史庄镇",
    "位庄乡",
    "大新庄乡",
    "太山乡",
]


def test_subtree_of_a_county_is_the_county_and_its_townships(demo):
    county = demo.union("获嘉县总工会")
    expected = {county.id} | {demo.union(f"获嘉县{t}工会").id for t in HUOJIA_TOWNSHIPS}
    assert subtree_ids(demo.session, county.id) == expected


def test_subtree_of_the_city_union_holds_every_union(demo):
    city = demo.union("新乡市总工会")
    every = {demo.union(n).id for n in ("获嘉县总工会", "新乡市教育系统产业工会", "新乡医学院第一附属医院工会")}
    assert every < subtree_ids(demo.session, city.id)
    assert subtree_ids(demo.session, demo.union("获嘉县亢村镇工会").id) == {demo.union("获嘉县亢村镇工会").id}


def test_chain_above_a_township_union_ends_at_the_city_union(demo):
    chain = ancestors(demo.session, demo.union("获嘉县亢村镇工会").id)
    assert [u.name for u in chain] == ["获嘉县总工会", "新乡市总工会"]
    assert ancestors(demo.session, demo.union("新乡市总工会").id) == []


@pytest.mark.parametrize(
    ("place", "union", "reason"),
    [
        ({"township": "亢村镇", "county": "获嘉县"}, "获嘉县亢村镇工会", "属地：亢村镇"),
        ({"township": "亢村", "county": "获嘉"}, "获嘉县亢村镇工会", "属地：亢村镇"),
        ({"township": "七里营镇"}, "新乡县七里营镇工会", "属地：七里营镇"),
        ({"address": "获嘉县照镜镇107国道东侧"}, "获嘉县照镜镇工会", "属地：照镜镇"),
        ({"township": "不存在镇", "county": "获嘉县"}, "获嘉县总工会", "属地：获嘉县"),
        ({"township": "亢村镇", "county": "新乡县"}, "新乡县总工会", "属地：新乡县"),
        ({"county": "凤泉区"}, "凤泉区总工会", "属地：凤泉区"),
        ({"address": "河南省郑州市金水区"}, "新乡市总工会", "属地不明，由上级工会受理"),
        ({}, "新乡市总工会", "属地不明，由上级工会受理"),
    ],
)
def test_place_is_matched_to_the_township_then_county_then_city_union(demo, place, union, reason):
    match = union_for_place(demo.session, **place)
    assert (match.union.name, match.reason) == (union, reason)


def test_enterprise_is_attached_to_the_union_of_its_place(demo):
    assert demo.enterprise("获嘉县恒达机械有限公司").local_union.name == "获嘉县亢村镇工会"
    hospital = demo.enterprise("新乡医学院第一附属医院")
    assert (hospital.union.name, hospital.local_union.name) == ("新乡医学院第一附属医院工会", "卫辉市总工会")


def test_admin_founds_a_township_union_below_a_county_in_scope(demo):
    admin = demo.actor("xinxiang-admin")
    county = demo.union("凤泉区总工会")
    union = organisation.add_union(
        demo.session, admin, parent_id=county.id, name="凤泉区宝西街道工会", kind=UnionKind.TOWNSHIP, region="宝西街道"
    )
    assert union_for_place(demo.session, township="宝西街道", county="凤泉区").union.id == union.id
    with pytest.raises(Conflict):
        organisation.add_union(
            demo.session, admin, parent_id=county.id, name="凤泉区宝西街道工会", kind=UnionKind.TOWNSHIP
        )
    with pytest.raises(Invalid):  # a township union cannot sit below a township union
        organisation.add_union(
            demo.session, demo.actor("xinxiang-admin"), parent_id=union.id, name="某某镇工会", kind=UnionKind.TOWNSHIP
        )


def test_only_admins_found_unions(demo):
    with pytest.raises(Forbidden):
        organisation.add_union(
            demo.session,
            demo.actor("huojia"),
            parent_id=demo.union("获嘉县总工会").id,
            name="x工会",
            kind=UnionKind.TOWNSHIP,
        )
