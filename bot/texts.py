"""What the bot says, in one place, so that wording is easy to review and change."""

HELP = (
    "您好，这里是新乡市总工会职工服务平台。您可以直接发文字或语音告诉我：\n"
    "1. 托管：寒暑假职工子女托管（日托、周托、幼托）\n"
    "2. 培训：回复“培训”看菜单、报名或“点菜”，想学别的回复“我想学……”，需求调查回复“填问卷”\n"
    "3. 维权：欠薪、被迫辞职、工伤等，回复“我要维权”；查看维权进度回复“案件查询”\n"
    "4. 法律咨询：试用期、加班费、年休假、仲裁等\n"
    "5. 困难帮扶、心理咨询、义诊、职工服务站\n"
    "6. 入会：回复“我要入会”（外卖骑手、快递员、网约车司机均可加入）\n"
    "7. 金点子：回复“提建议”\n"
    "8. 手机报：回复“手机报”阅读最新一期新乡工会手机报\n"
    "回复“人工”可转接工会工作人员。"
)
WELCOME = "欢迎关注新乡市总工会！工会是职工之家。\n\n" + HELP
FALLBACK = "抱歉，这个问题超出了工会服务的范围，我暂时回答不了。\n回复“帮助”看看我能做什么，或回复“人工”找工作人员。"
NO_ANSWER = "这个问题我没有找到可靠的答案，不想误导您。回复“人工”，工会工作人员会为您解答；也可拨打职工服务热线12351。"
STORE_DOWN = "系统繁忙，暂时无法办理，请稍后重新开始。咨询问题可以直接发给我，或拨打12351。"
STORE_LOST = "系统繁忙，暂时接不上您正在办理的事项，请稍后回复“重新开始”再办理。咨询问题可以直接发给我，或拨打12351。"

# Requests whose features are still being built: say so plainly and offer what works today.
COMING: dict[str, str] = {}

# Menu CLICK keys (app/wechat/menu.py): a dialogue or request to start, or a text.
MENU_INTENTS = {
    "CHILDCARE": "childcare.register",
    "GRIEVANCE_FILE": "grievance.file",
    "GRIEVANCE_STATUS": "grievance.status",
    "JOIN": "membership.join",
    "TRAINING": "training.menu",
    "HUMAN": "human.handoff",
    "DIGEST_LATEST": "digest.latest",
}
MENU_ANSWERS = {
    "HARDSHIP": "困难帮扶：请直接说明您的困难情况（如家人重病、子女上学困难），我会告诉您可以申请哪些帮扶。",
    "COUNSELING": "心理咨询：有什么烦心事可以直接告诉我，或回复“人工”预约心理咨询师。",
    "LEGAL": "法律咨询：请直接描述您的问题，例如“试用期最长多久”“加班费怎么算”。",
}
