"""WeChat's error codes as exceptions that callers can act on."""

from __future__ import annotations


class WeChatError(Exception):
    """WeChat refused or failed a call."""

    retryable = False

    def __init__(self, errcode: int | None, errmsg: str = ""):
        self.errcode, self.errmsg = errcode, errmsg
        super().__init__(f"{errcode}: {errmsg}")


class WeChatBusy(WeChatError):
    """WeChat is busy (-1) or could not be reached: try again later."""

    retryable = True


class QuotaExceeded(WeChatError):
    """45009: the daily quota of this API is used up; retry tomorrow or after clear_quota."""

    retryable = True


class OutsideServiceWindow(WeChatError):
    """45015/45047: no message from the worker in 48 hours, or too many replies since."""


class NoSubscription(WeChatError):
    """43101: the worker granted no subscription for this template."""


class TokenRejected(WeChatError):
    """40001/42001/40014 even with a fresh access token."""


TOKEN_ERRORS = {40001, 40014, 42001}
BY_CODE = {-1: WeChatBusy, 45009: QuotaExceeded, 45015: OutsideServiceWindow, 45047: OutsideServiceWindow}
BY_CODE.update({43101: NoSubscription, **dict.fromkeys(TOKEN_ERRORS, TokenRejected)})


def error_for(errcode: int | None, errmsg: str = "") -> WeChatError:
    """Return the exception for a WeChat error code (None: no answer at all)."""
    if errcode is None:
        return WeChatBusy(None, errmsg or "no answer from WeChat")
    return BY_CODE.get(errcode, WeChatError)(errcode, errmsg)
