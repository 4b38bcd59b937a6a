"""A terminal chat as a worker: play WeChat's servers against our /wechat endpoint, one line a message."""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import requests

from app.wechat.parsing import parse_xml

from .pusher import Pusher

HELP = """以职工身份和公众号聊天（本程序扮演微信服务器）。直接输入文字即发送文本消息；特殊命令：
  /subscribe 关注   /unsubscribe 取消关注   /click KEY 点击菜单   /voice 文本 语音（带识别结果）
  /location 纬度 经度 标签 发送位置   /help 帮助   /quit 退出（或 Ctrl-D）"""
TIMEOUT = 5.0  # WeChat drops a push it has no answer to within 5 s…
ATTEMPTS = 3  # …and sends the same request again, three attempts in all
USAGE = {"/click": "/click 菜单KEY", "/voice": "/voice 文本", "/location": "/location 纬度 经度 标签"}


class ChatError(Exception):
    """A failure explained in Chinese; the chat goes on after showing it."""


def _cdata(text: str) -> str:
    # "]]>" in what the user typed would end the section early: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _fields(command: str, rest: str) -> str:
    """Return the MsgType and that type's fields for a command; ValueError when it is misused."""
    if command in ("/subscribe", "/unsubscribe"):
        return f"<MsgType>event</MsgType><Event>{command[1:]}</Event>"
    if command in USAGE and not rest:
        raise ValueError(command)
    if command == "/click":
        return f"<MsgType>event</MsgType><Event>CLICK</Event><EventKey>{_cdata(rest)}</EventKey>"
    if command == "/voice":
        return f"<MsgType>voice</MsgType><MediaId>chat</MediaId><Recognition>{_cdata(rest)}</Recognition>"
    if command == "/location":
        lat, lng, *label = rest.split(maxsplit=2)
        return (
            f"<MsgType>location</MsgType><Location_X>{float(lat)}</Location_X><Location_Y>{float(lng)}</Location_Y>"
            f"<Scale>15</Scale><Label>{_cdata(''.join(label))}</Label>"
        )
    raise ChatError(f"不认识的命令 {command}，输入 /help 查看帮助")


def message_xml(openid: str, line: str, msg_id: int, at: int, to_user: str = "gh_gonghui0001") -> str:
    """Return the XML WeChat would push for an input line (events carry no MsgId)."""
    command, _, rest = line.partition(" ")
    if not command.startswith("/"):
        fields = f"<MsgType>text</MsgType><Content>{_cdata(line)}</Content>"
    else:
        try:
            fields = _fields(command, rest.strip())
        except ValueError:  # a missing argument or a coordinate that is not a number
            raise ChatError(f"用法：{USAGE[command]}") from None
    msg_id_xml = "" if "<Event>" in fields else f"<MsgId>{msg_id}</MsgId>"
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
        f"<CreateTime>{at}</CreateTime>{fields}{msg_id_xml}</xml>"
    )


def post_like_wechat(
    session: requests.Session, url: str, params: dict, body: bytes, timeout: float
) -> requests.Response:
    """POST a push, sending the very same request again after a timeout or a 5xx, as WeChat does."""
    failure = ""
    for _ in range(ATTEMPTS):
        try:
            response = session.post(url, params=params, data=body, timeout=timeout)
        except requests.Timeout:
            failure = f"{timeout:g} 秒内没有回应"
            continue
        except requests.RequestException as error:
            raise ChatError(f"连接不上 {url}（{type(error).__name__}），应用启动了吗？") from error
        if response.status_code < 500:
            return response
        failure = f"服务器错误 {response.status_code}"
    raise ChatError(f"{ATTEMPTS} 次尝试都失败（最后一次：{failure}），微信会放弃这条消息")


def shown(kind: str | None, message: dict[str, Any]) -> list[str]:
    """Return what a text or news message shows the user (its fields as in customer-service JSON)."""
    if kind == "text":
        return [message.get("content") or ""]
    if kind == "news":
        return [f"《{a.get('title') or ''}》 {a.get('url') or ''}" for a in message.get("articles", [])]
    return [f"（{kind} 类型的消息）"]


def read_reply(pusher: Pusher, response: requests.Response, params: dict) -> list[str] | None:
    """Return what a passive reply shows the user, or None for "success" or an empty body."""
    if response.status_code != 200:
        status = response.status_code
        why = "签名不对或时间戳过期，WECHAT_TOKEN / WECHAT_AES_KEY 与应用一致吗？" if status == 403 else response.text
        raise ChatError(f"消息被拒绝（{status}）：{why.strip()[:200]}")
    if response.text.strip() in ("", "success"):
        return None
    try:
        fields = parse_xml(pusher.open_reply(response.text.strip(), params).encode())
    except (ValueError, KeyError) as error:  # BadPush and BadMessage are ValueErrors
        raise ChatError(f"回复无法解读：{error}") from error
    item = fields.get("Articles", {}).get("item", {})  # a news reply carries one article
    message = {"content": fields.get("Content"), "articles": [{"title": item.get("Title"), "url": item.get("Url")}]}
    return shown(fields.get("MsgType"), message)


@dataclass
class Chat:
    """One worker chatting with our endpoint, with this program in the place of WeChat's servers."""

    pusher: Pusher
    openid: str
    url: str
    simulator_url: str | None = None  # the API simulator: opens the 48-hour window, shows what it was sent
    timeout: float = TIMEOUT
    wait_seconds: float = 6.0  # how long a late answer may take to come as a customer-service message
    # Microseconds since the epoch: MsgIds unique across runs, as our endpoint deduplicates on them.
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(time.time_ns() // 1000))
    seen: int = 0  # customer-service messages already shown
    session: requests.Session = field(init=False, repr=False)  # open while run() runs

    def run(self, stdin: TextIO, out: TextIO, *, echo: bool = False) -> None:
        """Read lines until /quit or end of input and show what the worker would see."""
        say = functools.partial(print, file=out, flush=True)
        say(HELP)
        with requests.Session() as self.session:
            self.guard(say, self.unseen)  # earlier chats' messages are not news
            while True:
                say("你> ", end="")
                raw = stdin.readline()
                if echo:  # a terminal does not show piped input: echo it so the transcript has both sides
                    say(raw.rstrip("\n"))
                line = raw.strip()
                if not raw or line == "/quit":
                    break
                if line:
                    self.guard(say, lambda line=line: say(HELP) if line == "/help" else self.send(line, say))
        say("再见。")

    def send(self, line: str, say: Callable[[str], None]) -> None:
        """Push one line as WeChat would, show the passive reply, then any customer-service messages."""
        at = int(time.time())
        xml = message_xml(self.openid, line, next(self.ids), at, self.pusher.to_user)
        leaving = line == "/unsubscribe"  # WeChat lets nobody write to a user who left
        if not leaving:
            self.guard(say, lambda: self.sim("post", "/sim/interaction", json={"openid": self.openid}))
        params, body = self.pusher.push(xml, timestamp=at)  # a retry repeats timestamp, nonce and body
        response = post_like_wechat(self.session, self.url, params, body, self.timeout)
        reply = read_reply(self.pusher, response, params)
        for text in reply or []:
            say(f"机器人> {text}")
        if reply is None:
            say("（回复 success：没有被动回复）")
        if self.simulator_url:
            waiting = self.wait_seconds if reply is None and not leaving else 0
            self.guard(say, lambda: self.show_customer_service(time.monotonic() + waiting, say))

    def show_customer_service(self, deadline: float, say: Callable[[str], None]) -> None:
        """Show new customer-service messages, waiting until the deadline for the first one."""
        while not (new := self.unseen()) and time.monotonic() < deadline:
            time.sleep(0.1)
        for text in new:
            say(f"[客服消息] {text}")

    def unseen(self) -> list[str]:
        """Return the customer-service messages to the user not returned before."""
        sent = self.sim("get", "/sim/sent", params={"openid": self.openid, "kind": "custom"}).get("sent", [])
        payloads, self.seen = [d["payload"] for d in sent[self.seen :]], len(sent)
        return [text for p in payloads for text in shown(p["msgtype"], p.get(p["msgtype"], {}))]

    def sim(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Call the simulator's control API (nothing without --simulator-url)."""
        if not self.simulator_url:
            return {}
        try:
            response = self.session.request(method, self.simulator_url.rstrip("/") + path, timeout=TIMEOUT, **kwargs)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise ChatError(f"模拟器 {self.simulator_url} 不可用：{error}") from error

    @staticmethod
    def guard(say: Callable[[str], None], action: Callable[[], object]) -> None:
        """Run an action, showing a failure as one line instead of ending the chat."""
        try:
            action()
        except ChatError as error:
            say(f"[错误] {error}")
        except Exception as error:  # a terminal tool shows any failure in a line, never a traceback
            say(f"[错误] 意外错误：{error!r}")
