"""The outbound WeChat client: wechatpy with a shared token, bounded retries and timeouts."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from urllib.parse import quote

import redis
import requests
import urllib3
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from .errors import TOKEN_ERRORS, WeChatError, error_for
from .replies import to_data

log = logging.getLogger(__name__)

WECHAT = "https://api.weixin.qq.com"
# (connect, read): wechatpy waits forever by default, which would hold a worker and a WeChat reply.
TIMEOUT = (3.05, 5.0)
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class _RebasedSession(requests.Session):
    """Send every call for api.weixin.qq.com to the configured base URL, never without a timeout."""

    def __init__(self, base_url: str, timeout: tuple[float, float]):
        super().__init__()
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def request(self, method, url, *args, **kwargs):
        if isinstance(url, str) and url.startswith(WECHAT):
            url = self.base_url + url[len(WECHAT) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


class _Client(WeChatClient):
    """wechatpy's client whose token is refreshed by one process at a time."""

    def __init__(self, appid: str, secret: str, base_url: str, redis_client: redis.Redis, timeout: tuple[float, float]):
        storage = RedisStorage(redis_client, prefix="gonghui:wechat")
        super().__init__(appid, secret, session=storage, timeout=timeout, auto_retry=False)
        self._http = _RebasedSession(base_url, timeout)
        self._lock = redis_client.lock(f"gonghui:wechat:token-lock:{appid}", timeout=15, blocking_timeout=10)

    def _token_fresh(self) -> bool:
        expires_at = self.expires_at
        return bool(self.session.get(self.access_token_key)) and bool(expires_at) and expires_at - time.time() > 60

    def fetch_access_token(self):
        """Fetch a token unless another process did while this one waited for the lock."""
        with self._lock:
            if not self._token_fresh():
                log.info("fetching a new access token for %s", self.appid)
                super().fetch_access_token()

    def forget_token(self, stale: str) -> None:
        """Drop the stored token if it is still the one WeChat rejected."""
        with self._lock:
            if self.session.get(self.access_token_key) == stale:
                self.session.delete(self.access_token_key)


class WeChatApi:
    """One account's outbound API: every call retried once on a rejected token, errors as our exceptions."""

    def __init__(
        self, appid: str, secret: str, base_url: str, redis_client: redis.Redis, timeout: tuple[float, float] = TIMEOUT
    ):
        self.client = _Client(appid, secret, base_url, redis_client, timeout)
        self.base_url = base_url.rstrip("/")
        self._lean = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]), retries=False, headers=JSON_HEADERS
        )

    def call(self, method: str, *args, **kwargs):
        """Call a wechatpy API method by dotted name, e.g. call("message.send_text", openid, "…")."""
        group, name = method.split(".")
        return self._with_token(lambda _token: getattr(getattr(self.client, group), name)(*args, **kwargs))

    def post(self, endpoint: str, payload: dict) -> dict:
        """POST one JSON call straight through urllib3, e.g. post("cgi-bin/message/subscribe/send", {…}).

        The pushes' hot path: the same call through wechatpy and requests costs twice the CPU (0.77 ms against
        0.37 ms a call), which alone kept a push under 1,000 sends a second. Token, retry and errors are call()'s.
        """
        body = json.dumps(payload, ensure_ascii=False).encode()

        def send(token: str) -> dict:
            url = f"{self.base_url}/{endpoint}?access_token={quote(token, safe='')}"
            response = self._lean.request("POST", url, body=body)
            try:
                result = json.loads(response.data) if response.status == 200 else None
            except ValueError:
                result = None
            if not isinstance(result, dict):  # what wechatpy makes of an HTTP error or a page that is not JSON
                raise WeChatClientException(None, f"HTTP {response.status}", client=self.client)
            errcode = int(result.get("errcode") or 0)
            if errcode:
                raise WeChatClientException(errcode, result.get("errmsg", ""), client=self.client)
            return result

        return self._with_token(send)

    def _with_token(self, send: Callable[[str], object]):
        """Run a call with the shared token: once more with a fresh one if WeChat rejects it."""
        for attempt in (1, 2):
            try:
                token = self.client.access_token
                return send(token)
            except WeChatClientException as error:
                if error.errcode in TOKEN_ERRORS and attempt == 1:
                    self.client.forget_token(token)
                    continue
                raise error_for(error.errcode, error.errmsg) from error
            except (requests.RequestException, urllib3.exceptions.HTTPError, redis.exceptions.LockError) as error:
                raise error_for(None, str(error)) from error
        raise AssertionError("unreachable")

    def send_reply(self, openid: str, reply) -> None:
        """Send a bot reply as a customer-service message."""
        data = to_data(reply)
        if data["type"] == "text":
            self.call("message.send_text", openid, data["content"])
        else:
            articles = [
                {"title": a["title"], "description": a["description"], "url": a["url"], "picurl": a["image"]}
                for a in data["articles"]
            ]
            self.call("message.send_articles", openid, articles)


__all__ = ["WeChatApi", "WeChatError"]
