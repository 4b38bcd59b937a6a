"""The two WeChat accounts (service account, mini-program) and their per-process runtime."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import Flask, current_app

from config import Config

from ..extensions import redis_store
from .client import WeChatApi
from .crypto import MessageCipher


@dataclass(frozen=True)
class Account:
    """One account's server settings."""

    channel: str  # "mp" or "miniapp", as stored on inbound messages
    appid: str
    secret: str
    token: str
    aes_key: str
    # A service account may answer in the HTTP reply; the mini-program only through customer service.
    passive: bool

    def cipher(self) -> MessageCipher:
        return MessageCipher(self.aes_key, self.appid)


class WeChatRuntime:
    """Accounts, the pool that runs handlers, and one outbound client per account."""

    def __init__(self, config: Config):
        self.base_url = config.WECHAT_API_BASE_URL
        self.reply_seconds = config.WECHAT_REPLY_SECONDS
        self.accounts = {
            "mp": Account(
                "mp", config.WECHAT_APPID, config.WECHAT_SECRET, config.WECHAT_TOKEN, config.WECHAT_AES_KEY, True
            ),
            "miniapp": Account(
                "miniapp",
                config.MINIAPP_APPID,
                config.MINIAPP_SECRET,
                config.MINIAPP_TOKEN,
                config.MINIAPP_AES_KEY,
                False,
            ),
        }
        self.executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="wechat")
        self._apis: dict[str, WeChatApi] = {}
        self._lock = threading.Lock()

    def api(self, channel: str) -> WeChatApi:
        """Return the outbound client of an account (needs an app context for Redis)."""
        with self._lock:
            if channel not in self._apis:
                account = self.accounts[channel]
                self._apis[channel] = WeChatApi(account.appid, account.secret, self.base_url, redis_store.client)
            return self._apis[channel]


def init_app(app: Flask, config: Config) -> None:
    app.extensions["gonghui.wechat"] = WeChatRuntime(config)


def runtime() -> WeChatRuntime:
    return current_app.extensions["gonghui.wechat"]
