"""Needs surveys in a browser: live results of the demo survey match the answers stored, free text is shown on
request (and audited), a new survey is written with its questions."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.demo_training import TITLE
from models.surveys import Reply, Survey, SurveyAnswer, SurveyResponse, answer_survey
from models.workers import create_worker

# name: (contents wanted, length, way, post, advice); 张伟 and 孙强 make machines, 赵敏 works in chemicals.
ANSWERS = {
    "张伟": ([0, 3], 1, 0, 0, "希望请有经验的安全员讲案例"),
    "孙强": ([0], 1, 1, None, None),
    "赵敏": ([1, 3, 4], 0, 0, 1, None),
    "钱立新": ([1], 1, 3, 2, "周末上课最好"),
    "冯春生": ([1, 3], 3, 0, 0, None),
}


def _answer_demo_survey(demo) -> Survey:
    """Five workers in the survey's industries answer it, as they would in WeChat."""
    survey = demo.session.scalars(select(Survey).where(Survey.title == TITLE)).one()
    chemicals = demo.enterprise("凤泉区宝源化工有限公司").id
    for n, name in enumerate(("钱立新", "冯春生")):
        create_worker(demo.session, name=name, phone=f"1383739{n:04d}", employer_id=chemicals)
    demo.session.commit()
    contents, length, way, post, advice = survey.questions
    for name, (wanted, days, how, role, text) in ANSWERS.items():
        replies = [Reply(contents.id, wanted), Reply(length.id, [days]), Reply(way.id, [how])]
        replies += [Reply(post.id, [role])] if role is not None else []
        replies += [Reply(advice.id, text=text)] if text else []
        answer_survey(demo.session, worker=demo.worker(name), survey_id=survey.id, replies=replies)
    return survey


def test_the_results_page_shows_the_demo_surveys_counts(official, demo, screenshot):
    survey = _answer_demo_survey(demo)
    counted = (
        select(SurveyAnswer.question_id, SurveyAnswer.option, func.count())
        .join(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyAnswer.option.is_not(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.option)
    )
    stored = {(question, option): count for question, option, count in demo.session.execute(counted)}
    demo.session.rollback()
    page = official("xinxiang-admin")
    page.goto("/console/training")
    page.get_by_role("navigation", name="职工培训").get_by_role("link", name="需求调查").click()
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("5")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#responses")).to_have_text("5")
    expect(page.get_by_role("row").filter(has_text="凤泉区宝源化工有限公司")).to_contain_text("3")
    for question in survey.questions[:4]:
        section = page.get_by_role("region", name=f"第{question.position}题")
        for index, label in enumerate(question.options):
            count = stored.get((question.id, index), 0)
            cells = section.get_by_role("row").filter(has_text=label).get_by_role("cell")
            expect(cells.nth(1)).to_have_text(str(count))
    contents = page.get_by_role("region", name="第1题")
    expect(contents).to_contain_text("5人作答")
    expect(contents.get_by_role("row").filter(has_text="应急救护").get_by_role("cell").nth(2)).to_have_text("60.0%")
    expect(page.get_by_role("main")).not_to_contain_text("周末上课最好")  # free text only on request
    screenshot(page, "training-survey-results")
    page.get_by_role("link", name="查看填写内容").click()
    expect(page.get_by_role("region", name="第5题")).to_contain_text("周末上课最好")
    demo.session.expire_all()
    seen = select(AuditEntry.actor).where(AuditEntry.object_type == "survey_answers")
    assert demo.session.scalars(seen).all() == ["xinxiang-admin"]


def test_an_official_writes_a_survey_with_questions(official, demo):
    page = official("huojia")
    page.goto("/console/training/surveys")
    page.get_by_role("link", name="新建问卷").click()
    page.get_by_label("问卷标题").fill("获嘉县2027年职工技能培训需求调查")
    page.get_by_label("调查对象").select_option(label="指定行业")
    page.get_by_label("行业（").fill("制造业、纺织")
    page.get_by_label("第1题题目").fill("您最想学的内容")
    page.get_by_label("第1题题型").select_option(label="多选")
    page.get_by_label("第1题选项").fill("电工安全操作")  # one option is not a choice
    page.get_by_label("第2题题目").fill("其他建议")
    page.get_by_label("第2题题型").select_option(label="填空")
    page.get_by_label("第2题必答").uncheck()
    page.get_by_role("button", name="创建问卷").click()
    expect(page.get_by_role("alert")).to_have_text("第1题应有2到30个互不相同的选项")
    expect(page.get_by_label("问卷标题")).to_have_value("获嘉县2027年职工技能培训需求调查")
    page.get_by_label("第1题选项").fill("电工安全操作\n纺织机械安全防护\n应急救护")
    page.get_by_label("第1题最多选几项").fill("2")
    page.get_by_role("button", name="创建问卷").click()
    expect(page.get_by_role("status")).to_have_text("问卷《获嘉县2027年职工技能培训需求调查》已创建。")
    expect(page.locator("#responses")).to_have_text("0")
    demo.session.expire_all()
    survey = demo.session.scalars(select(Survey).where(Survey.title == "获嘉县2027年职工技能培训需求调查")).one()
    assert (survey.union.name, survey.audience, survey.industries) == ("获嘉县总工会", "industry", ["制造业", "纺织"])
    assert [(q.kind, q.text, q.options, q.max_choices, q.required) for q in survey.questions] == [
        ("multiple", "您最想学的内容", ["电工安全操作", "纺织机械安全防护", "应急救护"], 2, True),
        ("text", "其他建议", [], None, False),
    ]
    demo.session.rollback()
    other = official("kangcun")  # below 获嘉县: not theirs to read
    assert other.goto(f"/console/training/surveys/{survey.id}").status == 404
