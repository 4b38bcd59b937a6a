"""Demo data drawn from the seeds: the 新乡 union organisation, enterprises, workers, officials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from config import DEFAULT_PUBLIC_BASE_URL

from .demo_childcare import load_programs, load_registrations
from .demo_digests import load_digests
from .demo_grievances import load_grievances
from .demo_pushes import load_pushes
from .demo_tickets import load_tickets
from .demo_training import load_surveys, load_training
from .enterprises import Enterprise, create_enterprise, find_enterprise
from .officials import Official, Role
from .unions import TradeUnion, UnionKind
from .workers import Worker, create_worker

DEMO_PASSWORD = "gonghui2026"  # noqa: S105  (printed by make run for demo logins)

CITY = ("新乡市总工会", "新乡市", "0373-2021516", "新乡市红旗区人民东路")

# county/district union: (region, townships)
COUNTIES = {
    "红旗区总工会": ("红旗区", []),
    "卫滨区总工会": ("卫滨区", []),
    "凤泉区总工会": ("凤泉区", ["大块镇", "耿黄镇", "潞王坟乡"]),
    "牧野区总工会": ("牧野区", []),
    "新乡县总工会": ("新乡县", ["七里营镇", "小冀镇", "翟坡镇"]),
    "获嘉县总工会": (
        "获嘉县",
        [
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
        ],
    ),
    "原阳县总工会": ("原阳县", []),
    "延津县总工会": ("延津县", []),
    "封丘县总工会": ("封丘县", []),
    "卫辉市总工会": ("卫辉市", []),
    "辉县市总工会": ("辉县市", []),
    "长垣市总工会": ("长垣市", []),
}

# The 河北 practice of menu-style training in the seeds: the province union and the enterprises it trained.
PROVINCE = ("河北省总工会", "河北省", "0311-87023396", "石家庄市裕华区裕华东路")
PROVINCE_ENTERPRISE_UNIONS = {
    "开滦集团工会": "唐山市路北区新华东道70号",
    "冀中能源集团工会": "邢台市中兴西大街191号",
    "常山纺织集团工会": "石家庄市长安区和平东路260号",
}
# name: (address, industry, own union); their local union is the province union (no city unions modelled)
PROVINCE_ENTERPRISES = {
    "开滦集团": ("唐山市路北区新华东道70号", "煤炭", "开滦集团工会"),
    "冀中能源集团": ("邢台市中兴西大街191号", "煤炭", "冀中能源集团工会"),
    "常山纺织集团": ("石家庄市长安区和平东路260号", "纺织", "常山纺织集团工会"),
}

INDUSTRY_UNIONS = {"新乡市教育系统产业工会": ["教育"]}

# enterprise union: (parent union, address)
ENTERPRISE_UNIONS = {
    "新乡医学院第一附属医院工会": ("新乡市总工会", "卫辉市健康路88号"),
    "新乡市实验小学工会": ("新乡市教育系统产业工会", "新乡市红旗区胜利路"),
}

# name: (county, township, address, industry, own union)
ENTERPRISES = {
    "新乡医学院第一附属医院": ("卫辉市", None, "卫辉市健康路88号", "医疗卫生", "新乡医学院第一附属医院工会"),
    "获嘉县恒达机械有限公司": ("获嘉县", "亢村镇", "获嘉县亢村镇工业园区8号", "制造业", None),
    "获嘉县鑫源纺织有限公司": ("获嘉县", "城关镇", "获嘉县城关镇迎宾大道16号", "纺织", None),
    "获嘉县宏远建材有限公司": ("获嘉县", "照镜镇", "获嘉县照镜镇107国道东侧", "建材", None),
    "新乡县华兴食品有限公司": ("新乡县", "七里营镇", "新乡县七里营镇纬七路3号", "食品", None),
    "凤泉区宝源化工有限公司": ("凤泉区", "大块镇", "凤泉区大块镇化工园区", "化工", None),
    "新乡市第一中学": ("卫滨区", None, "新乡市卫滨区自由路", "教育", None),
    "新乡市实验小学": ("红旗区", None, "新乡市红旗区胜利路", "教育", "新乡市实验小学工会"),
}

# name, phone, openid, employer, member since (None: not a member)
WORKERS = [
    ("张伟", "13837310001", "oDemo-zhangwei", "获嘉县恒达机械有限公司", date(2021, 5, 1)),
    ("李娜", "13837310002", "oDemo-lina", "获嘉县鑫源纺织有限公司", date(2019, 3, 8)),
    ("王芳", "13837310003", "oDemo-wangfang", "新乡医学院第一附属医院", date(2015, 9, 1)),
    ("刘洋", "13837310004", "oDemo-liuyang", "新乡县华兴食品有限公司", date(2022, 7, 1)),
    ("陈静", "13837310005", "oDemo-chenjing", "新乡市第一中学", date(2018, 9, 10)),
    ("杨磊", "13837310006", "oDemo-yanglei", "获嘉县宏远建材有限公司", None),
    ("赵敏", "13837310007", "oDemo-zhaomin", "凤泉区宝源化工有限公司", date(2020, 1, 15)),
    ("孙强", "13837310008", "oDemo-sunqiang", "获嘉县恒达机械有限公司", None),
    ("周婷", "13837310009", "oDemo-zhouting", "新乡市实验小学", date(2016, 9, 1)),
    ("李建国", "13931500001", "oDemo-lijianguo", "开滦集团", date(2008, 7, 1)),  # a front-line safety monitor
    ("王海涛", "13931900002", "oDemo-wanghaitao", "冀中能源集团", date(2012, 3, 1)),
    ("刘秀英", "13931100003", "oDemo-liuxiuying", "常山纺织集团", date(2010, 9, 1)),
]

# username: (name, role, union)
OFFICIALS = {
    "xinxiang-admin": ("市总工会管理员", Role.ADMIN, "新乡市总工会"),
    "xinxiang-viewer": ("市总工会只读账号", Role.VIEWER, "新乡市总工会"),
    "huojia": ("获嘉县总工会干部", Role.OFFICIAL, "获嘉县总工会"),
    "kangcun": ("亢村镇工会干部", Role.OFFICIAL, "获嘉县亢村镇工会"),
    "chengguan": ("城关镇工会干部", Role.OFFICIAL, "获嘉县城关镇工会"),
    "jiaoyu": ("教育系统产业工会干部", Role.OFFICIAL, "新乡市教育系统产业工会"),
    "xinyi-fy": ("新医一附院工会干部", Role.OFFICIAL, "新乡医学院第一附属医院工会"),
    "hebei-admin": ("河北省总工会劳动保护部", Role.ADMIN, "河北省总工会"),
    "kailuan": ("开滦集团工会劳动保护部", Role.OFFICIAL, "开滦集团工会"),
    "jizhong": ("冀中能源集团工会干部", Role.OFFICIAL, "冀中能源集团工会"),
    "changshan": ("常山纺织集团工会干部", Role.OFFICIAL, "常山纺织集团工会"),
}


@dataclass
class DemoSummary:
    """What load_demo created, and the logins to print."""

    created: int
    logins: list[tuple[str, str, str, str]]


@cache
def _demo_hash() -> str:
    # Hashed once: every demo login shares the password, and scrypt is slow on purpose.
    return generate_password_hash(DEMO_PASSWORD)


def township_union_name(county_union: str, township: str) -> str:
    """Return a township union's name: 获嘉县亢村镇工会."""
    return f"{county_union.removesuffix('总工会')}{township}工会"


def _union(session: Session, name: str, **values) -> tuple[TradeUnion, bool]:
    union = session.scalar(select(TradeUnion).where(TradeUnion.name == name))
    if union is not None:
        return union, False
    industries = values.pop("industries", [])
    union = TradeUnion(name=name, **values)
    union.industries = industries
    session.add(union)
    session.flush()
    return union, True


def _load_unions(session: Session) -> tuple[dict[str, TradeUnion], int]:
    created = 0
    name, region, phone, address = CITY
    city, new = _union(session, name, kind=UnionKind.CITY, region=region, phone=phone, address=address)
    unions, created = {name: city}, created + new
    for county_name, (county_region, townships) in COUNTIES.items():
        county, new = _union(session, county_name, kind=UnionKind.COUNTY, region=county_region, parent_id=city.id)
        unions[county_name], created = county, created + new
        for township in townships:
            town_name = township_union_name(county_name, township)
            town, new = _union(session, town_name, kind=UnionKind.TOWNSHIP, region=township, parent_id=county.id)
            unions[town_name], created = town, created + new
    for industry_name, industries in INDUSTRY_UNIONS.items():
        union, new = _union(session, industry_name, kind=UnionKind.INDUSTRY, parent_id=city.id, industries=industries)
        unions[industry_name], created = union, created + new
    name, region, phone, address = PROVINCE
    province, new = _union(session, name, kind=UnionKind.PROVINCE, region=region, phone=phone, address=address)
    unions[name], created = province, created + new
    for enterprise_union, address in PROVINCE_ENTERPRISE_UNIONS.items():
        union, new = _union(
            session, enterprise_union, kind=UnionKind.ENTERPRISE, parent_id=province.id, address=address
        )
        unions[enterprise_union], created = union, created + new
    for enterprise_union, (parent, address) in ENTERPRISE_UNIONS.items():
        union, new = _union(
            session, enterprise_union, kind=UnionKind.ENTERPRISE, parent_id=unions[parent].id, address=address
        )
        unions[enterprise_union], created = union, created + new
    return unions, created


def load_demo(session: Session, base_url: str = DEFAULT_PUBLIC_BASE_URL) -> DemoSummary:
    """Load the demo data; running it again changes nothing. base_url: where the 手机报 sent already links to."""
    unions, created = _load_unions(session)
    enterprises: dict[str, Enterprise] = {}
    for name, (county, township, address, industry, own_union) in ENTERPRISES.items():
        enterprise = find_enterprise(session, name)
        if enterprise is None:
            own = unions[own_union].id if own_union else None
            enterprise = create_enterprise(
                session, name=name, county=county, township=township, address=address, industry=industry, union_id=own
            )
            created += 1
        enterprises[name] = enterprise
    for name, (address, industry, own_union) in PROVINCE_ENTERPRISES.items():
        enterprise = find_enterprise(session, name)
        if enterprise is None:
            enterprise = create_enterprise(
                session,
                name=name,
                address=address,
                industry=industry,
                union_id=unions[own_union].id,
                local_union_id=unions[PROVINCE[0]].id,
            )
            created += 1
        enterprises[name] = enterprise
    for name, phone, openid, employer_name, since in WORKERS:
        if session.scalar(select(Worker.id).where(Worker.openid == openid)) is not None:
            continue
        employer = enterprises[employer_name]
        member_of = (employer.union_id or employer.local_union_id) if since else None
        create_worker(
            session,
            name=name,
            phone=phone,
            openid=openid,
            employer_id=employer.id,
            union_id=member_of,
            member_since=since,
        )
        created += 1
    logins = []
    for username, (name, role, union_name) in OFFICIALS.items():
        if session.scalar(select(Official.id).where(Official.username == username)) is None:
            official = Official(
                username=username, name=name, role=role, union_id=unions[union_name].id, password_hash=_demo_hash()
            )
            session.add(official)
            created += 1
        logins.append((username, DEMO_PASSWORD, role.value, union_name))
    created += load_programs(session)
    created += load_registrations(session)
    created += load_surveys(session)
    created += load_training(session)
    created += load_grievances(session)
    created += load_digests(session)
    created += load_pushes(session, base_url)
    created += load_tickets(session)
    session.flush()
    return DemoSummary(created=created, logins=logins)
