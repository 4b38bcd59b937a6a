"""Menu-style training and surveys in the chat, with the demo menu, classes and survey of the seeds."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import select

from bot.answers import several, skipped
from bot.state import RedisStateStore
from bot.training import wish_in
from models.base import utcnow
from models.surveys import Reply, Survey, SurveyAnswer, SurveyResponse, answer_survey
from models.tickets import Ticket
from models.training import CONFIRMED, WAITLISTED, Enrolment, Topic, TopicOrder, TopicRequest, TrainingClass
from models.training_enrolments import enrol

from .conftest import Worker

FIRST_AID = "应急救护培训班（第一期）"
SURVEY = "2027年劳动保护知识培训需求调查"


@pytest.fixture
def zhangwei(demo, store) -> Worker:
    """张伟 of 获嘉县恒达机械有限公司 (制造业): the 新乡 menu, two open classes, the survey for his industry."""
    return Worker(demo.session, store, "oDemo-zhangwei")


def _class(demo, title: str = FIRST_AID) -> TrainingClass:
    return demo.session.scalars(select(TrainingClass).where(TrainingClass.title == title)).one()


def _rows(demo, model, **where) -> list:
    demo.session.expire_all()
    return list(demo.session.scalars(select(model).filter_by(**where)))


def test_sign_up_for_an_open_class(zhangwei, demo):
    menu = zhangwei.says("有哪些培训可以报")
    assert "【培训点菜报名】" in menu and f"1. 报名｜{FIRST_AID}" in menu and "余60个名额" in menu
    assert "新乡市职工服务中心三楼培训室" in menu and "4课时" in menu
    assert "点菜｜应急救护（1天4课时，您已点过）" in menu and "回复“我想学……”" in menu
    assert FIRST_AID in zhangwei.says("1")
    done = zhangwei.says("确认")
    training_class = _class(demo)
    assert f"报名成功！{FIRST_AID}，{training_class.starts_on.month}月{training_class.starts_on.day}日" in done
    assert "地点：新乡市职工服务中心三楼培训室" in done
    assert f"问卷《{SURVEY}》" in done and "回复“填问卷”" in done
    [enrolment] = _rows(demo, Enrolment, class_id=training_class.id)
    assert (enrolment.status, enrolment.worker.name) == (CONFIRMED, "张伟")
    assert "您已报名" in zhangwei.says("培训")


def test_a_full_class_puts_the_worker_on_the_waitlist(zhangwei, demo):
    full = _class(demo)
    full.capacity = 1
    enrol(demo.session, worker=demo.worker("孙强"), class_id=full.id)  # the one place
    enrol(demo.session, worker=demo.worker("刘洋"), class_id=full.id)  # first on the waitlist
    assert "已满，可排候补" in zhangwei.says("培训")
    zhangwei.says("1")
    done = zhangwei.says("确认")
    assert "名额已满，您已排在候补第2位" in done and FIRST_AID in done and "新乡市职工服务中心" in done
    [mine] = _rows(demo, Enrolment, class_id=full.id, worker_id=demo.worker("张伟").id)
    assert mine.status == WAITLISTED


def test_signing_up_twice_is_refused_clearly(zhangwei, demo):
    enrol(demo.session, worker=demo.worker("张伟"), class_id=_class(demo).id)
    zhangwei.says("培训")
    zhangwei.says("1")
    assert "没有办成：您已报名该培训班" in zhangwei.says("确认")
    assert len(_rows(demo, Enrolment, class_id=_class(demo).id)) == 1


def test_order_a_topic_and_see_it_marked(demo, store):
    worker = Worker(demo.session, store)  # 孙强, at 张伟's employer, who has ordered nothing
    menu = worker.says("培训")
    assert "6. 点菜｜应急救护（1天4课时）" in menu
    assert "点菜｜应急救护" in worker.says("6")
    done = worker.says("1")
    assert "点菜成功！您点了“应急救护”，目前共有3位职工点了这道菜" in done  # 张伟 and 刘洋 before him
    topic = demo.session.scalars(select(Topic).where(Topic.title == "应急救护")).one()
    assert _rows(demo, TopicOrder, topic_id=topic.id, worker_id=demo.worker("孙强").id)
    assert "应急救护（1天4课时，您已点过）" in worker.says("培训")
    worker.says("6")
    assert "您之前已点过“应急救护”" in worker.says("确认")


def test_a_wish_not_on_the_menu_is_recorded(zhangwei, demo):
    confirm = zhangwei.says("我想学高处作业安全")
    assert "【培训需求】请核对" in confirm and "想学的内容：高处作业安全" in confirm
    assert "菜单上暂时还没有这项内容" in zhangwei.says("确认")
    [request] = _rows(demo, TopicRequest, text="高处作业安全", worker_id=demo.worker("张伟").id)
    assert request.topic_id is None and request.industry == "制造业"


def test_a_wish_on_the_menu_is_matched_to_its_topic(zhangwei, demo):
    zhangwei.says("我想学应急救护")
    assert "菜单上已有“应急救护”" in zhangwei.says("确认")
    [request] = _rows(demo, TopicRequest, text="应急救护")
    assert request.topic.title == "应急救护"


def test_a_wish_is_asked_for_when_the_message_names_none(zhangwei, demo):
    assert "您想学什么内容" in zhangwei.says("能不能开一个新的培训")
    assert "请具体说说想学什么" in zhangwei.says("啥")
    assert "想学的内容：叉车司机考证" in zhangwei.says("我想学叉车司机考证")
    zhangwei.says("确认")
    assert _rows(demo, TopicRequest, text="叉车司机考证")


def test_a_wish_said_inside_the_menu(zhangwei, demo):
    zhangwei.says("培训")
    assert "请回复选项前的数字" in zhangwei.says("99")
    assert "提需求｜想学“焊工”" in zhangwei.says("我想学焊工")
    assert "已记下您想学“焊工”" in zhangwei.says("确认")
    assert _rows(demo, TopicRequest, text="焊工")


def test_the_menu_click_starts_the_dialogue_and_cancel_leaves_nothing(zhangwei, demo):
    assert f"报名｜{FIRST_AID}" in zhangwei.clicks("TRAINING")
    zhangwei.says("1")
    assert "已取消“培训点菜报名”" in zhangwei.says("取消")
    assert not _rows(demo, Enrolment, class_id=_class(demo).id)
    assert zhangwei.store.load(zhangwei.openid) is None


def test_no_menu_and_no_class_says_so(zhangwei, demo):
    for topic in demo.session.scalars(select(Topic)):
        topic.active = False
    for training_class in demo.session.scalars(select(TrainingClass)):
        training_class.cancelled_at = utcnow()
    demo.session.commit()
    reply = zhangwei.says("培训")
    assert "目前还没有面向您的培训菜单和开班计划" in reply and "我想学……" in reply
    assert zhangwei.store.load(zhangwei.openid) is None


def _survey_rows(demo, worker: str) -> list[SurveyResponse]:
    return _rows(demo, SurveyResponse, worker_id=demo.worker(worker).id)


def test_answer_the_survey_in_the_chat(zhangwei, demo):
    first = zhangwei.says("填问卷")
    assert f"【填写问卷 1/5】《{SURVEY}》" in first and "职工点菜、工会上菜" in first
    assert "1. 新版安全规程" in first and "6. 群监员工作实务" in first and "例如“1 3”" in first
    assert "您希望的培训时长（单选" in zhangwei.says("1、4")
    assert "您希望的培训方式" in zhangwei.says("2")
    fourth = zhangwei.says("线上线下结合")
    assert "您的岗位" in fourth and "不答请回复“跳过”" in fourth
    assert "其他建议" in zhangwei.says("跳过")
    summary = zhangwei.says("希望请煤矿安全专家来新乡授课")
    assert "第1题：新版安全规程、应急救护" in summary and "第3题：线上线下结合" in summary
    assert "第4题：（跳过）" in summary and "问卷提交后不能修改" in summary
    assert "问卷已提交，感谢您的参与" in zhangwei.says("确认")
    [response] = _survey_rows(demo, "张伟")
    survey = response.survey
    by_position = {q.id: q.position for q in survey.questions}
    rows = _rows(demo, SurveyAnswer, response_id=response.id)
    answers = {(by_position[a.question_id], a.option, a.text) for a in rows}
    assert answers == {
        (1, 0, None),
        (1, 3, None),
        (2, 1, None),
        (3, 3, None),
        (5, None, "希望请煤矿安全专家来新乡授课"),
    }
    assert response.enterprise_id == demo.enterprise("获嘉县恒达机械有限公司").id


def test_bad_survey_answers_are_asked_again(zhangwei, demo):
    zhangwei.says("需求调查")
    assert "最多选3项" in zhangwei.says("1 2 3 4")
    assert "请回复选项前的序号（1到6）" in zhangwei.says("9")
    assert "这道题必答" in zhangwei.says("跳过")
    assert "您希望的培训时长" in zhangwei.says("135")  # 1, 3 and 5 run together
    assert "请回复选项前的序号（1到4）" in zhangwei.says("1 2")  # single choice
    assert "您希望的培训方式" in zhangwei.says("第二个")
    assert "【填写问卷 2/5】" in zhangwei.says("返回")
    assert not _survey_rows(demo, "张伟")


def test_cancel_a_survey_midway(zhangwei, demo):
    zhangwei.says("填问卷")
    zhangwei.says("1")
    assert "已取消“填写问卷”" in zhangwei.says("取消")
    assert "回复“人工”可转接" in zhangwei.says("帮助")
    assert not _survey_rows(demo, "张伟")


def test_an_answered_survey_is_not_answered_again(zhangwei, demo):
    survey = demo.session.scalars(select(Survey).where(Survey.title == SURVEY)).one()
    answer_survey(
        demo.session,
        worker=demo.worker("张伟"),
        survey_id=survey.id,
        replies=[Reply(q.id, choices=[0]) for q in survey.questions if q.required],
    )
    assert f"您已填写过问卷《{SURVEY}》" in zhangwei.says("填问卷")
    assert zhangwei.store.load(zhangwei.openid) is None
    zhangwei.says("我想学焊工")
    assert "问卷《" not in zhangwei.says("确认") and len(_survey_rows(demo, "张伟")) == 1


def test_a_survey_answered_elsewhere_meanwhile_is_refused_at_the_end(zhangwei, demo):
    for answer in ["填问卷", "1", "1", "1", "1"]:
        zhangwei.says(answer)
    assert "请核对" in zhangwei.says("跳过")
    survey = demo.session.scalars(select(Survey).where(Survey.title == SURVEY)).one()
    replies = [Reply(q.id, choices=[1]) for q in survey.questions if q.required]
    answer_survey(demo.session, worker=demo.worker("张伟"), survey_id=survey.id, replies=replies)
    assert "您已填写过这份问卷" in zhangwei.says("确认")  # e.g. in the mini-program
    [response] = _survey_rows(demo, "张伟")
    assert {a.option for a in response.answers} == {1}


def test_no_survey_for_a_coal_miner_of_hebei(demo, store):
    miner = Worker(demo.session, store, "oDemo-lijianguo")  # the 新乡 survey is not for 开滦
    assert "目前没有需要您填写的问卷" in miner.says("填问卷")


def test_handoff_in_a_survey_and_expiry_name_it(zhangwei, demo, backend):
    zhangwei.says("填问卷")
    zhangwei.says("1 2")
    assert "已为您转接工会工作人员" in zhangwei.says("转人工")
    [ticket] = _rows(demo, Ticket, kind="handoff", worker_id=demo.worker("张伟").id)
    assert "填写问卷" in ticket.summary and "第1题=新版安全规程、职业病防治" in ticket.summary
    zhangwei.says("问卷")
    client = redis.Redis.from_url(backend.redis_url)
    client.delete(f"gonghui:bot:state:{zhangwei.openid}")  # the 30 minutes pass
    assert "您的“填写问卷”超过30分钟没有回复" in zhangwei.says("1")


def test_with_redis_down_training_and_surveys_wait(demo):
    down = RedisStateStore(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    worker = Worker(demo.session, down, "oDemo-zhangwei")
    for text in ("培训", "我想学电工", "填问卷"):
        assert "请稍后重新开始" in worker.says(text)


def test_reading_several_choices_skips_and_wishes():
    options = ["新版安全规程", "职业病防治", "劳动保护法律法规", "应急救护"]
    assert several("1 3", options) == [0, 2] and several("1、3，4", options) == [0, 2, 3]
    assert several("24", options) == [1, 3] and several("应急救护 1", options) == [3, 0]
    assert several("1 9", options) is None and several("", options) is None
    assert skipped("跳过。") and not skipped("1")
    assert wish_in("我想学电工安全操作") == "电工安全操作" and wish_in("点菜：井下安全") == "井下安全"
    assert wish_in("能不能开个叉车证的培训") == "叉车证" and wish_in("我想学点东西 工会有啥课") is None
    assert wish_in("重新开始") is None and wish_in("培训") is None
