"""Calls to the mini-program's WeChat API, with WeChat's refusals turned into answers for the worker."""

from __future__ import annotations

import logging
from typing import Any

from ..errors import error_body
from ..wechat.accounts import runtime
from ..wechat.errors import WeChatBusy, WeChatError
from . import blueprint

log = logging.getLogger(__name__)

# errcode -> (HTTP status, error.code, message), per API: the same code means different things.
LOGIN_REFUSALS = {
    40029: (400, "invalid_code", "登录凭证无效，请重新打开小程序"),
    40163: (401, "code_used", "登录凭证已使用，请重新登录"),
    40226: (403, "risky_user", "该微信账号暂时无法登录，请稍后再试"),
    45011: (429, "too_many_requests", "登录过于频繁，请稍后再试"),
}
PHONE_REFUSALS = {
    40029: (400, "invalid_code", "手机号授权已失效，请重新授权"),
    45011: (429, "too_many_requests", "操作过于频繁，请稍后再试"),
}
UNAVAILABLE = (503, "wechat_unavailable", "微信服务繁忙，请稍后再试")


class WeChatRefused(Exception):
    """A WeChat call failed in a way the worker should hear about."""

    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message
        super().__init__(code)


def call(method: str, *args: Any, refusals: dict[int, tuple[int, str, str]]) -> dict[str, Any]:
    """Call the mini-program's API; WeChat's refusals become WeChatRefused."""
    try:
        return runtime().api("miniapp").call(method, *args)
    except WeChatBusy as error:
        log.warning("%s: WeChat busy (%s)", method, error)
        raise WeChatRefused(*UNAVAILABLE) from error
    except WeChatError as error:
        if error.errcode in refusals:
            raise WeChatRefused(*refusals[error.errcode]) from error
        # Anything else (a wrong secret, a quota) is ours to fix, not the worker's.
        log.error("%s failed: %s", method, error)
        raise WeChatRefused(*UNAVAILABLE) from error


@blueprint.errorhandler(WeChatRefused)
def _refused(error: WeChatRefused):
    return error_body(error.code, error.message), error.status
