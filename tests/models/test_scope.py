"""An official sees and acts on their own union and the unions below it, nothing else."""

from __future__ import annotations

import pytest

from models import organisation, staff, workers
from models.errors import Forbidden, NotFound
from models.officials import Role


def test_township_official_sees_workers_of_their_township_only(demo):
    kangcun = demo.actor("kangcun")
    assert workers.view_worker(demo.session, kangcun, demo.worker("张伟").id).name == "张伟"
    with pytest.raises(NotFound):
        workers.view_worker(demo.session, kangcun, demo.worker("李娜").id)
    assert {w.name for w in workers.list_workers(demo.session, kangcun)} == {"张伟", "孙强"}


def test_county_official_sees_every_township_below(demo):
    huojia = demo.actor("huojia")
    assert {w.name for w in workers.list_workers(demo.session, huojia)} == {"张伟", "李娜", "杨磊", "孙强"}
    assert workers.view_worker(demo.session, huojia, demo.worker("李娜").id).name == "李娜"


def test_enterprise_union_official_sees_its_own_workers(demo):
    hospital = demo.actor("xinyi-fy")
    listed = workers.list_workers(demo.session, hospital)
    assert "王芳" in {w.name for w in listed}  # and the hospital's parents of the demo's childcare
    assert {w.union_id for w in listed} == {demo.union("新乡医学院第一附属医院工会").id}
    with pytest.raises(NotFound):
        organisation.view_enterprise(demo.session, hospital, demo.enterprise("获嘉县恒达机械有限公司").id)


def test_union_outside_scope_is_not_found(demo):
    with pytest.raises(NotFound):
        organisation.view_union(demo.session, demo.actor("kangcun"), demo.union("获嘉县城关镇工会").id)
    _union, chain = organisation.view_union(demo.session, demo.actor("huojia"), demo.union("获嘉县城关镇工会").id)
    assert [u.name for u in chain] == ["获嘉县总工会", "新乡市总工会"]


def test_official_cannot_record_an_enterprise_outside_their_township(demo):
    with pytest.raises(NotFound):
        organisation.add_enterprise(
            demo.session, demo.actor("kangcun"), name="城关某厂", county="获嘉县", township="城关镇"
        )
    made = organisation.add_enterprise(
        demo.session, demo.actor("kangcun"), name="亢村某厂", county="获嘉县", township="亢村镇"
    )
    assert made.local_union.name == "获嘉县亢村镇工会"


def test_viewer_cannot_change_data(demo):
    with pytest.raises(Forbidden):
        workers.add_worker(demo.session, demo.actor("xinxiang-viewer"), name="周涛", phone="13937310009")


def test_only_admins_open_accounts_and_only_in_scope(demo):
    args = {"username": "fengzhuang", "password": "long-enough-1", "name": "冯庄镇工会干部", "role": Role.OFFICIAL}
    with pytest.raises(Forbidden):
        staff.add_official(demo.session, demo.actor("huojia"), union_id=demo.union("获嘉县冯庄镇工会").id, **args)
    made = staff.add_official(
        demo.session, demo.actor("xinxiang-admin"), union_id=demo.union("获嘉县冯庄镇工会").id, **args
    )
    assert made.union.name == "获嘉县冯庄镇工会"
