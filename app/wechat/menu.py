"""The service account's custom menu, defined in code and uploaded by `flask wechat sync-menu`."""

from __future__ import annotations

MENU = {
    "button": [
        {
            "name": "职工服务",
            "sub_button": [
                {"type": "click", "name": "托管报名", "key": "CHILDCARE"},
                {"type": "click", "name": "菜单式培训", "key": "TRAINING"},
                {"type": "click", "name": "困难帮扶", "key": "HARDSHIP"},
                {"type": "click", "name": "心理咨询", "key": "COUNSELING"},
            ],
        },
        {
            "name": "维权服务",
            "sub_button": [
                {"type": "click", "name": "我要维权", "key": "GRIEVANCE_FILE"},
                {"type": "click", "name": "案件查询", "key": "GRIEVANCE_STATUS"},
                {"type": "click", "name": "法律咨询", "key": "LEGAL"},
            ],
        },
        {
            "name": "工会资讯",
            "sub_button": [
                {"type": "click", "name": "工会手机报", "key": "DIGEST_LATEST"},
                {"type": "click", "name": "申请入会", "key": "JOIN"},
                {"type": "click", "name": "联系人工", "key": "HUMAN"},
            ],
        },
    ]
}
