"""Grievances in the chat: filing a case, pictures as evidence, following one's cases, adding to them, rating."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
import redis
from sqlalchemy import select

from bot.state import RedisStateStore
from models.grievance_cases import accept, resolve, start_handling
from models.grievances import GrievanceCase
from models.tickets import Ticket
from models.workers import Worker as Follower

from .conftest import Worker

_pictures = itertools.count(1)
# 拖欠工资 at an employer nobody knows, in 亢村镇: the township's union handles it.
WAGES = ["1", "获嘉县某某电子厂", "获嘉县亢村镇", "十三人", "3.9万", "老板说没钱，三个月没发工资了", "王丽 13837310011"]


def sends_picture(worker: Worker, media_id: str | None = None) -> str:
    """Send a WeChat image message through the bot, as the endpoint does."""
    return worker._send(kind="image", media_id=media_id or f"media-{next(_pictures)}")


def file(worker: Worker, answers: list[str] = WAGES) -> str:
    """File a grievance through the chat and return the bot's last answer."""
    worker.clicks("GRIEVANCE_FILE")
    for answer in answers:
        worker.says(answer)
    return worker.says("确认")


def cases(demo, openid: str) -> list[GrievanceCase]:
    demo.session.expire_all()
    query = select(GrievanceCase).join(GrievanceCase.worker).where(Follower.openid == openid)
    return list(demo.session.scalars(query.order_by(GrievanceCase.id)))


@pytest.fixture
def newcomer(demo, store) -> Worker:
    """A follower the union knows nothing about yet."""
    return Worker(demo.session, store, "o-wangli")


@pytest.fixture
def zhangwei(demo, store) -> Worker:
    """张伟: an open forced-resignation case at 获嘉县恒达机械有限公司, handled by 亢村镇's union."""
    return Worker(demo.session, store, "oDemo-zhangwei")


def test_filing_in_the_chat_makes_a_routed_case(newcomer, demo):
    summary = None
    newcomer.clicks("GRIEVANCE_FILE")
    for answer in WAGES:
        summary = newcomer.says(answer)
    assert "金额：39,000元" in summary and "人数：13" in summary and "问题：拖欠工资" in summary
    assert "电话：13837310011（王丽）" in summary
    done = newcomer.says("确认")
    [case] = cases(demo, "o-wangli")
    assert f"维权求助已提交，编号 {case.number}。" in done
    assert "由获嘉县亢村镇工会受理（属地：亢村镇）" in done and "2个工作日内" in done
    assert "每一步都会在这里通知您" in done and "集体" not in done
    assert (case.union.name, case.routing_reason, case.category, case.channel) == (
        "获嘉县亢村镇工会",
        "属地：亢村镇",
        "unpaid_wages",
        "mp",
    )
    assert (case.amount_owed, case.workers_count, case.contact_phone) == (Decimal("39000.00"), 13, "13837310011")
    assert case.worker.name == "王丽"  # the 告知书 is addressed to the worker by name
    assert (case.employer_name, case.employer_address, case.facts) == (
        "获嘉县某某电子厂",
        "获嘉县亢村镇",
        "老板说没钱，三个月没发工资了",
    )
    assert not demo.session.scalars(select(Ticket).where(Ticket.kind == "grievance")).all()  # no ticket any more
    assert newcomer.store.load("o-wangli") is None


def test_the_union_asks_the_name_only_of_workers_it_does_not_know(newcomer, zhangwei, demo):
    newcomer.clicks("GRIEVANCE_FILE")
    for answer in WAGES[:5]:
        newcomer.says(answer)
    ask = newcomer.says(WAGES[5])
    assert "方便联系您的手机号码？" in ask and "另请写上您的姓名" in ask
    assert "请回复您的姓名和手机号码" in newcomer.says("13837310011")
    assert "请核对" in newcomer.says("王丽13837310011")
    zhangwei.clicks("GRIEVANCE_FILE")
    for answer in WAGES[:5]:
        zhangwei.says(answer)
    ask = zhangwei.says(WAGES[5])
    assert "方便联系您的手机号码？" in ask and "姓名" not in ask
    assert "电话：13837310001\n" in zhangwei.says("13837310001")


def test_a_known_employer_goes_to_its_own_union(newcomer, demo):
    answers = ["5", "新乡医学院第一附属医院", "卫辉市", "1", "没有", "夜班受伤了单位不给报工伤", "王丽，13837310003"]
    assert "由新乡医学院第一附属医院工会受理（企业建有工会）" in file(newcomer, answers)
    [case] = cases(demo, "o-wangli")
    assert (case.category, case.amount_owed, case.enterprise.name) == ("work_injury", None, "新乡医学院第一附属医院")


def test_a_second_worker_with_the_same_problem_joins_a_collective_case(newcomer, demo, store):
    file(newcomer)
    colleague = Worker(demo.session, store, "o-zhaolei")
    done = file(colleague, [*WAGES[:3], "1", "3000", "我也是三个月没发工资了", "我叫赵磊 138-3731-0012"])
    assert "已并入集体案件（共2件、14人）" in done
    [first], [second] = cases(demo, "o-wangli"), cases(demo, "o-zhaolei")
    assert (second.collective_id, first.collective_id) == (first.id, None)
    assert "集体案件共14人" in newcomer.says("案件查询")


def test_the_demo_worker_at_hengda_joins_zhangweis_case(demo, store):
    lina = Worker(demo.session, store, "oDemo-lina")  # another employer, another problem: alone
    file(lina, ["1", "获嘉县恒达机械有限公司", "获嘉县亢村镇", "1", "5000", "上个月的工资一直没发", "13837310002"])
    assert cases(demo, "oDemo-lina")[-1].collective_id is None
    yanglei = Worker(demo.session, store, "oDemo-yanglei")
    answers = ["2", "获嘉县恒达机械有限公司", "获嘉县亢村镇", "1", "没有", "让我写自愿辞职报告", "13837310006"]
    assert "已并入集体案件（共3件、15人）" in file(yanglei, answers)  # 张伟's 13 and 孙强
    zhangwei_case = cases(demo, "oDemo-zhangwei")[0]
    assert cases(demo, "oDemo-yanglei")[-1].collective_id == zhangwei_case.id


def test_pictures_sent_while_filing_go_with_the_case(newcomer, demo):
    newcomer.clicks("GRIEVANCE_FILE")
    for answer in WAGES[:5]:
        newcomer.says(answer)
    reply = sends_picture(newcomer, "media-payslip")
    assert "图片已收到（共1张），提交后作为证据附在案件中" in reply and "请简单说说经过" in reply
    for answer in WAGES[5:]:
        newcomer.says(answer)
    assert "请核对" in sends_picture(newcomer, "media-chat")  # at the confirmation, it asks for it again
    assert "已附图片2张作为证据" in newcomer.says("确认")
    [case] = cases(demo, "o-wangli")
    assert [a.media_id for a in case.attachments] == ["media-payslip", "media-chat"]


def test_a_picture_after_filing_is_added_to_the_latest_open_case(newcomer, demo):
    assert sends_picture(newcomer) == "图片已收到。如需反映问题，请再用文字说明情况。"  # no dialogue, no case
    file(newcomer)
    [case] = cases(demo, "o-wangli")
    assert f"图片已收到，已作为证据附在案件 {case.number}（获嘉县某某电子厂）中" in sends_picture(newcomer, "media-7")
    [case] = cases(demo, "o-wangli")
    assert [a.media_id for a in case.attachments] == ["media-7"]
    assert (case.events[-1].action, case.events[-1].actor, case.events[-1].note) == ("补充材料", "职工", "图片1张")


def test_status_lists_the_cases_newest_first(zhangwei, demo):
    file(zhangwei, ["9", "获嘉县某某电子厂", "获嘉县亢村镇", "1", "没有", "车间没有消防通道堆着货", "13837310001"])
    older, newer = cases(demo, "oDemo-zhangwei")
    listed = zhangwei.says("我的维权案件有进展吗")
    assert listed.index(newer.number) < listed.index(older.number)
    assert f"1. {newer.number}｜获嘉县某某电子厂\n   其他｜已收到" in listed
    assert f"2. {older.number}｜获嘉县恒达机械有限公司\n   被迫辞职或辞退没有补偿｜办理中，集体案件共14人" in listed
    assert "受理工会：获嘉县亢村镇工会" in listed and "受理期限：" in listed and "办理期限：" in listed
    assert "最新进展：" in listed and " 收到求助" in listed and " 办理" in listed
    assert "联合县人社局" not in listed  # officials' notes are for the record, not for the chat
    assert f"回复“补充 {newer.number} 新情况”，或直接发送图片" in listed and "评价" not in listed
    assert zhangwei.clicks("GRIEVANCE_STATUS") == listed


def test_adding_details_to_an_open_case(zhangwei, demo):
    [case] = cases(demo, "oDemo-zhangwei")
    added = zhangwei.says(f"补充 {case.number}：公司今天又通知我们周五前搬走")
    assert added == f"已补充到案件 {case.number}，经办的工会工作人员会看到。"
    [case] = cases(demo, "oDemo-zhangwei")
    assert (case.events[-1].action, case.events[-1].note) == ("补充材料", "公司今天又通知我们周五前搬走")
    assert "最新进展：" in zhangwei.says("案件查询") and "补充材料" not in zhangwei.says("案件查询")  # the union's step
    assert "请在编号后写上要补充的情况" in zhangwei.says(f"补充 {case.number}")


def test_status_shows_the_notice_number_but_not_officials_notes(newcomer, demo):
    file(newcomer)
    [case] = cases(demo, "o-wangli")
    accept(demo.session, demo.actor("kangcun"), case.id, legal_adviser="县总工会法律顾问团")
    demo.session.commit()
    [case] = cases(demo, "o-wangli")
    listed = newcomer.says("案件查询")
    assert f"告知书（{case.documents[0].number}）" in listed and "已受理" in listed and "办理期限：" in listed
    start_handling(demo.session, demo.actor("kangcun"), case.id, note="约谈企业负责人张某")
    demo.session.commit()
    listed = newcomer.says("案件查询")
    assert " 办理\n" in listed and "张某" not in listed


def test_no_cases_says_how_to_file_one(newcomer):
    reply = newcomer.says("案件查询")
    assert "您还没有维权求助记录" in reply and "我要维权" in reply


def test_rating_a_resolved_case_once(newcomer, demo):
    file(newcomer)
    [case] = cases(demo, "o-wangli")
    assert "办结后才能评价" in newcomer.says(f"评价 {case.number} 5")
    kangcun = demo.actor("kangcun")
    accept(demo.session, kangcun, case.id)
    start_handling(demo.session, kangcun, case.id, note="约谈企业负责人")
    resolve(demo.session, kangcun, case.id, outcome="企业补发全部工资", amount_recovered=Decimal("39000"))
    demo.session.commit()
    listed = newcomer.says("案件查询")
    assert "已解决" in listed and f"回复“评价 {case.number} 5”" in listed and "补充" not in listed
    assert "追回金额：39,000.00元" in listed
    thanks = newcomer.says(f"评价 {case.number.lower()} 五分，处理很及时")  # any case, Chinese numbers
    assert f"感谢您的评价！案件 {case.number} 评为5分" in thanks
    [case] = cases(demo, "o-wangli")
    assert (case.rating, case.rating_comment) == (5, "处理很及时")
    assert "您已评价过该案件" in newcomer.says(f"评价 {case.number} 1 太慢")
    assert "您的评价：5分" in newcomer.says("案件查询")
    assert cases(demo, "o-wangli")[0].rating == 5


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("评价 WQ2026", "评价请按“评价 案件编号 分数 意见”回复"),
        ("评价 5", "评价请按“评价 案件编号 分数 意见”回复"),
        ("评价 WQ202601010001 4", "没有找到您名下编号为 WQ202601010001 的维权案件"),
        ("补充 WQ202601010001 又扣钱了", "没有找到您名下编号为 WQ202601010001 的维权案件"),
    ],
)
def test_bad_rating_texts_say_how(newcomer, text, answer):
    assert answer in newcomer.says(text)


def test_scores_out_of_range_and_other_workers_cases_are_refused(demo, store):
    lina = Worker(demo.session, store, "oDemo-lina")  # her demo case is closed and unrated
    [case] = cases(demo, "oDemo-lina")
    assert "评分应为1到5分" in lina.says(f"评价 {case.number} 6")
    assert "没有找到您名下编号" in Worker(demo.session, store, "oDemo-zhangwei").says(f"评价 {case.number} 5")
    assert "案件已结案" in lina.says(f"补充 {case.number} 工资又少发了")
    assert "感谢您的评价" in lina.says(f"评价{case.number} 4")
    assert cases(demo, "oDemo-lina")[0].rating == 4


def test_help_mentions_the_status_of_grievances(newcomer):
    assert "查看维权进度回复“案件查询”" in newcomer.says("帮助")


def test_with_redis_down_cases_are_listed_and_pictures_still_kept(demo):
    down = RedisStateStore(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    zhangwei = Worker(demo.session, down, "oDemo-zhangwei")
    [case] = cases(demo, "oDemo-zhangwei")
    assert case.number in zhangwei.says("案件查询")
    assert f"附在案件 {case.number}" in sends_picture(zhangwei, "media-down")
    assert "请稍后重新开始" in zhangwei.says("我要维权")
