"""Map the many ways workers name one thing to a concept token the learner can share.

With a few dozen examples per intent the learner cannot see every synonym (娃, 闺女, 小孩 …);
a concept token lets one example teach all of them. Concepts say what a text talks about, not
which intent it is: the learner still weighs them against the words and characters.
"""

from __future__ import annotations

import re

# Keywords separated by spaces; the longest keyword at a position wins (手机报 before 报).
CONCEPTS: dict[str, str] = {
    "child": "孩子 娃 闺女 儿子 女儿 小孩 宝宝 孙子 孙女 子女 小朋友 老大 老二 年级 学生 岁",
    "childcare": "托管 日托 周托 幼托 暑托 寒托 托班 看孩子 带孩子 带娃 看娃",
    "signup": "报名 报 报个 报上 报一个 登记 名额 占个 报铭 我要报 想报 帮我报 参加",
    "ask_detail": "多少钱 费用 收费 免费 几点 几号 什么时候 啥时候 在哪 地址 哪里 多久 几天 几岁 安全 吃饭 午饭 "
    "有没有 有啥 有哪些 区别",
    "training": "培训 课 班 学习 想学 技能 陪训 培训班 讲座 讲讲 来讲 讲一次 讲一期",
    "ask_new": "能不能 可不可以 能否 可以加 希望 开个 开一期 加个 加一个 增加 增设 没有 点菜 点个 定制 专门 "
    "新课 需求 开设",
    "wage": "工资 薪 工钱 钱 补偿 加班费 提成 奖金 补贴 赔 报销",
    "wrong": "欠 拖 扣 逼 开除 辞退 不给 没发 不发 罚 跑路 跑了 强迫 强制 不交 没交 没签 不签 不认 赶 克扣 "
    "压榨 违法解除 不让",
    "injury": "工伤 受伤 摔 伤了 弄伤 骨折 断了 住院",
    "labour": "加班 劳动合同 合同 辞职 离职 产假 婚假 年假 病假 退休 试用期 工龄 劳动 纠纷 调休 劳务派遣 断缴",
    "work": "上班 夜班 白班 下班 班车 车间 厂 公司 单位 老板 企业 工地 包工头",
    "insurance": "社保 保险 五险一金 公积金 医保",
    "complain": "投诉 举报 维权 讨薪 管管 出面 反映 求助",
    "progress": "进度 结果 怎么样了 到哪 消息 回复 进展 案号 案件号 编号 单号 结了 查询 处理 受理 还没 之前 "
    "上次 上个月 上周 谁在",
    "news": "手机报 新闻 要闻 资讯 动态 一期 通知 公告 推送 报纸 会客厅 发布厅",
    "law": "法 合法 违法 规定 律师 法律 仲裁 标准 怎么算 算不算 有效 权利 必须 影响 怎么规定 法律上",
    "mind": "心理 压力 焦虑 抑郁 失眠 睡不着 烦 难受 累 哭 情绪 心情 崩溃 孤独 郁闷 想不开 憋屈 难过 害怕 压抑",
    "health": "义诊 体检 医生 医院 健康 血压 血糖 看病 检查 疼 痛 中医 专家 筛查",
    "rest": "驿站 服务站 休息 歇脚 歇会 喝水 热水 充电 热饭 厕所 之家 附近 离我",
    "hardship": "困难 帮扶 助学 温暖 救助 补助 慰问 大病 学费 没钱 生病 交不起 困难户 救济",
    "idea": "金点子 建议 点子 想法 改进 合理化 革新 建言 改一下 提个 提一",
    "member": "入会 入个工会 入工会 会员 加入 会费 成为 成立工会 转会",
    "gig": "骑手 快递 外卖 网约车 司机 滴滴 美团 家政 零工 灵活就业 新就业",
    "human": "人工 真人 客服 工作人员 电话 机器人 找人 联系 活人 负责人 领导 干部",
    "greet": "你好 您好 你们好 在吗 在不在 hi hello 哈喽 嗨 谢谢 功能 能干 能做 早上好 下午好 晚上好 喂 首页 "
    "指南 收到 好的 干嘛的 关注 你是谁 怎么用 使用",
}
# Words that contain a keyword but mean something else (麻烦 is not 烦, 报告 is not signing up).
NEUTRAL = "麻烦 报告 预报 最近的"

_CONCEPT_OF: dict[str, str | None] = {word: None for word in NEUTRAL.split()}
_CONCEPT_OF.update({word: f"#{name}" for name, words in CONCEPTS.items() for word in words.split()})
_PATTERN = re.compile("|".join(re.escape(word) for word in sorted(_CONCEPT_OF, key=len, reverse=True)))


def concepts(text: str) -> list[str]:
    """Return the concept tokens (#child, #wage …) of the keywords found in a normalised text."""
    return [token for token in map(_CONCEPT_OF.get, _PATTERN.findall(text)) if token]
