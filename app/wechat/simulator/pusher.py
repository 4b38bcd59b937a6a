"""WeChat's server side: sign (and in safe mode encrypt) a push exactly as WeChat does."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from app.wechat.crypto import MessageCipher, sign
from app.wechat.parsing import parse_xml

MODES = ("raw", "compat", "aes")


@dataclass
class Pusher:
    """Build the query string and body WeChat would POST to our endpoint."""

    token: str
    appid: str
    aes_key: str = ""
    mode: str = "raw"  # raw (plaintext), compat (plaintext and encrypted), aes (safe mode)
    to_user: str = "gh_gonghui0001"

    def _sign(self, inner: str, timestamp: int | None, nonce: str | None) -> tuple[dict, str | None]:
        timestamp_s = str(timestamp or int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        params = {"signature": sign(self.token, timestamp_s, nonce), "timestamp": timestamp_s, "nonce": nonce}
        if self.mode == "raw":
            return params, None
        encrypted = MessageCipher(self.aes_key, self.appid).encrypt(inner)
        params |= {"encrypt_type": "aes", "msg_signature": sign(self.token, timestamp_s, nonce, encrypted)}
        return params, encrypted

    def push(self, inner_xml: str, *, timestamp: int | None = None, nonce: str | None = None) -> tuple[dict, bytes]:
        """Return (query parameters, body) for one push; a retry reuses timestamp and nonce."""
        params, encrypted = self._sign(inner_xml, timestamp, nonce)
        if encrypted is None:
            return params, inner_xml.encode()
        outer = f"<xml><ToUserName><![CDATA[{self.to_user}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
        if self.mode == "compat":  # compatible mode carries the plaintext fields as well
            outer += inner_xml.removeprefix("<xml>").removesuffix("</xml>")
        return params, (outer + "</xml>").encode()

    def push_json(self, fields: dict, *, timestamp: int | None = None, nonce: str | None = None) -> tuple[dict, bytes]:
        """Return (query parameters, body) for a mini-program push in JSON."""
        inner = json.dumps(fields, ensure_ascii=False)
        params, encrypted = self._sign(inner, timestamp, nonce)
        if encrypted is None:
            return params, inner.encode()
        return params, json.dumps({"ToUserName": self.to_user, "Encrypt": encrypted}).encode()

    def open_reply(self, body: str, params: dict) -> str:
        """Return a reply's plaintext XML, decrypting and checking it in safe mode like WeChat does."""
        if self.mode == "raw" or not body.startswith("<xml><Encrypt>"):
            return body
        fields = parse_xml(body.encode())
        if fields["MsgSignature"] != sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"]):
            raise ValueError("reply signature does not match")
        return MessageCipher(self.aes_key, self.appid).decrypt(fields["Encrypt"])


def text_xml(openid: str, content: str, msg_id: int, *, to_user: str = "gh_gonghui0001", at: int | None = None) -> str:
    """A text message as WeChat pushes it."""
    return (
        f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{at or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(openid: str, event: str, key: str = "", *, to_user: str = "gh_gonghui0001", at: int | None = None) -> str:
    """An event (subscribe, CLICK, …) as WeChat pushes it."""
    key_xml = f"<EventKey><![CDATA[{key}]]></EventKey>" if key else ""
    return (
        f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{at or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{key_xml}</xml>"
    )
