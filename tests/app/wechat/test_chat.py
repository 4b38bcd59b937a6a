"""flask wechat chat: a worker's terminal chat against our endpoint served on a real port."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.serving import make_server

from app.wechat.simulator.chat import Chat
from app.wechat.simulator.pusher import Pusher
from config import DEV_DEFAULTS

OPENID = "o-chat-worker"


@contextmanager
def served(app) -> Iterator[str]:
    """Serve an app on a free port of 127.0.0.1 and yield its /wechat URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/wechat"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def pusher(mode: str = "raw", token: str = DEV_DEFAULTS["WECHAT_TOKEN"]) -> Pusher:
    return Pusher(token, DEV_DEFAULTS["WECHAT_APPID"], DEV_DEFAULTS["WECHAT_AES_KEY"], mode)


def chat(lines: str, url: str, simulator_url: str | None = None, **options) -> str:
    """Run a chat on the given input and return everything it printed."""
    out = io.StringIO()
    options.setdefault("pusher", pusher())
    Chat(openid=OPENID, url=url, simulator_url=simulator_url, **options).run(io.StringIO(lines), out, echo=True)
    return out.getvalue()


def bot_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "机器人> " in line]


@pytest.mark.parametrize("mode", ["raw", "aes", "compat"])
def test_chat_shows_the_bots_passive_replies(wechat_app, simulator, mode):
    with served(wechat_app) as url:
        output = chat("/subscribe\n我要入会\n/quit\n", url, simulator.url, pusher=pusher(mode))
    replies = bot_lines(output)
    assert "欢迎关注新乡市总工会" in replies[0] and "申请入会" in replies[1], output
    assert output.rstrip().endswith("再见。") and "[错误]" not in output
    assert simulator.state.interactions[OPENID]  # the 48-hour window was opened as WeChat would


def test_late_answer_is_shown_as_a_customer_service_message(make_app, simulator, late_answers):
    app = make_app(WECHAT_API_BASE_URL=simulator.url, WECHAT_REPLY_SECONDS=0.0)
    with served(app) as url:
        output = chat("帮助\n", url, simulator.url)  # EOF ends the chat like /quit
    assert "没有被动回复" in output and bot_lines(output) == []
    late = [line for line in output.splitlines() if line.startswith("[客服消息]")]
    assert len(late) == 1 and "职工服务平台" in late[0], output


def test_the_cli_command_chats_in_safe_mode(wechat_app, simulator):
    with served(wechat_app) as url:
        args = ["wechat", "chat", "--openid", OPENID, "--aes", "--url", url, "--simulator-url", simulator.url]
        result = wechat_app.test_cli_runner().invoke(
            args=args, input="/voice 工会怎么入会\n/location 35.3 113.6 获嘉县\n"
        )
    assert result.exit_code == 0, result.output
    assert "你> /voice 工会怎么入会" in result.output and "申请入会" in bot_lines(result.output)[0]
    assert "[错误]" not in result.output


def test_errors_are_explained_and_the_chat_goes_on(wechat_app):
    with served(wechat_app) as url:
        refused = chat("你好\n", url, pusher=pusher(token="wrong-token"))
        bad_usage = chat("/location 北纬 东经\n/nonsense\n你好\n", url)
    down = chat("你好\n你好\n", url, "http://127.0.0.1:9")  # nothing listens there any more
    assert "403" in refused and "WECHAT_TOKEN" in refused
    assert "用法：/location" in bad_usage and "不认识的命令 /nonsense" in bad_usage and bot_lines(bad_usage)
    assert down.count("连接不上") == 2 and "模拟器" in down and "Traceback" not in down + refused + bad_usage


REPLY = b"<xml><MsgType>text</MsgType><Content>ok</Content></xml>"


class Flaky(BaseHTTPRequestHandler):
    """Hang past the timeout, then fail with a 500, then answer: and remember every request."""

    requests: list[tuple[str, bytes]]
    release: threading.Event

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append((self.path, body))
        if len(self.requests) == 1:
            self.release.wait(2)  # WeChat has hung up by now; the test releases this thread at the end
            return
        status, reply = (
            (500, b"oops")
            if len(self.requests) == 2
            else (200, b"<xml><MsgType>text</MsgType><Content>ok</Content></xml>")
        )
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args) -> None:
        """Keep the test output quiet."""


def test_a_timeout_and_a_5xx_are_retried_with_the_same_request():
    handler = type("Handler", (Flaky,), {"requests": [], "release": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        output = chat("你好\n", f"http://127.0.0.1:{server.server_port}/wechat", timeout=0.3)
    finally:
        handler.release.set()
        server.shutdown()
        thread.join()
        server.server_close()
    assert bot_lines(output) == ["机器人> ok"], output
    assert len(handler.requests) == 3 and len(set(handler.requests)) == 1  # same timestamp, nonce, signature, body
    assert "nonce=" in handler.requests[0][0] and "timestamp=" in handler.requests[0][0]
