"""WeChat's error answers: the codes the simulator uses and their errmsg texts."""

from __future__ import annotations

from typing import Any

# errmsg texts as api.weixin.qq.com writes them (without the " rid: ..." suffix it appends).
ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40130: "invalid openid list size, at least two openid",
    40163: "code been used",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44003: "empty news data",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    45065: "clientmsgid exist",
    46003: "menu no exist",
    47001: "data format error",
    47003: "argument invalid!",
}


class WeChatError(Exception):
    """An answer of {"errcode", "errmsg", ...extra} with HTTP 200, the way WeChat reports failures."""

    def __init__(self, errcode: int, errmsg: str | None = None, **extra: Any) -> None:
        self.errcode = errcode
        # An injected errcode may be one the table lacks; say so rather than invent WeChat's text.
        self.errmsg = errmsg or ERRMSG.get(errcode, "injected fault")
        self.extra = extra
        super().__init__(errcode, self.errmsg)

    def body(self) -> dict[str, Any]:
        """Return the JSON body WeChat would send."""
        return {"errcode": self.errcode, "errmsg": self.errmsg, **self.extra}
