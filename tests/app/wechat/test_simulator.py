"""The WeChat API simulator, driven over real HTTP with requests and with wechatpy's WeChatClient."""

from __future__ import annotations

import base64
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from app.wechat.simulator import SimulatorServer, SimulatorState, create_simulator
from app.wechat.simulator.state import SHANGHAI

SERVICE = ("wxdev0000000000001", "dev-wechat-secret")
MINIAPP = ("wxdev0000000000002", "dev-miniapp-secret")
START = datetime(2026, 3, 31, 12, 0, tzinfo=SHANGHAI).timestamp()  # a day before a month boundary
HOUR = 3600
MENU = {
    "button": [
        {"type": "click", "name": "工会动态", "key": "NEWS"},
        {
            "name": "服务",
            "sub_button": [
                {"type": "view", "name": "入会申请", "url": "https://example.com/join"},
                {"type": "click", "name": "联系我们", "key": "CONTACT"},
            ],
        },
    ]
}


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Wx:
    """A thin HTTP client for the simulator: WeChat calls with a token, and /sim/ control calls."""

    def __init__(self, url: str, http: requests.Session) -> None:
        self.url = url
        self.http = http
        self.tokens: dict[str, str] = {}

    def token(self, account: tuple[str, str] = SERVICE) -> dict[str, Any]:
        appid, secret = account
        params = {"grant_type": "client_credential", "appid": appid, "secret": secret}
        answer = self.http.get(f"{self.url}/cgi-bin/token", params=params).json()
        if "access_token" in answer:
            self.tokens[appid] = answer["access_token"]
        return answer

    def call(self, method: str, path: str, account: tuple[str, str], params: dict[str, Any], **kw: Any) -> Any:
        """Call an API, fetching a token first and again when it expired, as a real client would."""
        own_token = "access_token" in params
        for _ in range(2):
            if not own_token:
                if account[0] not in self.tokens:
                    self.token(account)
                params["access_token"] = self.tokens[account[0]]
            response = self.http.request(method, f"{self.url}{path}", params=params, **kw)
            assert response.status_code == 200  # WeChat reports every failure in the body
            answer = response.json()
            if own_token or answer.get("errcode") not in (40001, 42001):
                break
            self.tokens.pop(account[0])
        return answer

    def get(self, path: str, account: tuple[str, str] = SERVICE, **params: Any) -> dict[str, Any]:
        return self.call("GET", path, account, params)

    def post(self, path: str, body: Any, account: tuple[str, str] = SERVICE, **params: Any) -> dict[str, Any]:
        return self.call("POST", path, account, params, json=body)

    def sim(self, path: str, body: Any = None, method: str = "POST") -> requests.Response:
        return self.http.request(method, f"{self.url}/sim/{path}", json=body)

    def sent(self, **filters: str) -> list[dict[str, Any]]:
        return self.http.get(f"{self.url}/sim/sent", params=filters).json()["sent"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock):
    state = SimulatorState()
    state.clock = clock
    with SimulatorServer(state) as server:
        yield server


@pytest.fixture
def wx(server):
    with requests.Session() as http:
        yield Wx(server.url, http)


def errcode(answer: dict[str, Any]) -> int:
    return answer.get("errcode", 0)


def text(openid: str, content: str = "你好") -> dict[str, Any]:
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


# -- access tokens ---------------------------------------------------------------------------------------


def test_token_is_new_on_every_call_and_the_previous_one_works_for_the_grace_period(wx, clock):
    first = wx.token()["access_token"]
    answer = wx.token()
    assert answer["expires_in"] == 7200
    second = answer["access_token"]
    assert second != first
    assert errcode(wx.get("/cgi-bin/menu/delete", access_token=first)) == 0
    clock.advance(301)
    assert wx.get("/cgi-bin/menu/delete", access_token=first) == {
        "errcode": 40001,
        "errmsg": "invalid credential, access_token is invalid or not latest",
    }
    assert errcode(wx.get("/cgi-bin/menu/delete", access_token=second)) == 0


def test_token_expires_after_its_ttl(wx, clock):
    token = wx.token()["access_token"]
    clock.advance(7200)
    assert wx.get("/cgi-bin/menu/delete", access_token=token) == {"errcode": 42001, "errmsg": "access_token expired"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"grant_type": "client_credential", "appid": "wxnobody", "secret": "x"}, 40013),
        ({"grant_type": "client_credential", "appid": SERVICE[0], "secret": "wrong"}, 40001),
        ({"grant_type": "password", "appid": SERVICE[0], "secret": SERVICE[1]}, 40002),
        ({"grant_type": "client_credential", "secret": SERVICE[1]}, 41002),
    ],
)
def test_token_refuses_bad_credentials(wx, params, code):
    assert wx.http.get(f"{wx.url}/cgi-bin/token", params=params).json()["errcode"] == code


def test_apis_need_a_valid_access_token(wx):
    assert wx.http.get(f"{wx.url}/cgi-bin/menu/get").json() == {"errcode": 41001, "errmsg": "access_token missing"}
    assert errcode(wx.get("/cgi-bin/menu/get", access_token="forged")) == 40001


def test_expire_tokens_makes_every_token_answer_42001(wx):
    token = wx.token()["access_token"]
    assert wx.sim("expire-tokens").json() == {"ok": True}
    assert errcode(wx.get("/cgi-bin/menu/delete", access_token=token)) == 42001
    assert errcode(wx.get("/cgi-bin/menu/delete")) == 0  # after fetching a new one


def test_stable_token_is_stable_isolated_and_force_refresh_revokes_the_previous_one(wx, clock):
    appid, secret = SERVICE
    request = {"grant_type": "client_credential", "appid": appid, "secret": secret}

    def stable(**extra: Any) -> dict[str, Any]:
        return wx.http.post(f"{wx.url}/cgi-bin/stable_token", json={**request, **extra}).json()

    first = stable()
    clock.advance(1000)
    again = stable(force_refresh=False)
    assert again == {"access_token": first["access_token"], "expires_in": 6200}
    wx.token()  # getAccessToken does not touch stable tokens
    clock.advance(10)
    assert errcode(wx.get("/cgi-bin/menu/delete", access_token=first["access_token"])) == 0

    forced = stable(force_refresh=True)
    assert forced["access_token"] != first["access_token"]
    assert errcode(wx.get("/cgi-bin/menu/delete", access_token=first["access_token"])) == 40001
    assert stable(force_refresh=True)["access_token"] == forced["access_token"]  # within 30 s: not refreshed

    clock.advance(7200 - 200)  # inside the last 5 minutes, normal mode renews and both tokens work
    renewed = stable()
    assert renewed["access_token"] != forced["access_token"]
    assert renewed["expires_in"] == 7200
    assert errcode(wx.get("/cgi-bin/menu/delete", access_token=forced["access_token"])) == 0


# -- messages --------------------------------------------------------------------------------------------


def test_custom_messages_need_an_interaction_within_48_hours(wx, clock):
    assert wx.post("/cgi-bin/message/custom/send", text("o-ann")) == {
        "errcode": 45015,
        "errmsg": "response out of time limit or subscription is canceled",
    }
    wx.sim("interaction", {"openid": "o-ann"})
    clock.advance(47 * HOUR)
    assert wx.post("/cgi-bin/message/custom/send", text("o-ann")) == {"errcode": 0, "errmsg": "ok"}
    clock.advance(2 * HOUR)
    assert errcode(wx.post("/cgi-bin/message/custom/send", text("o-ann"))) == 45015
    [sent] = wx.sent(openid="o-ann")
    assert sent["kind"] == "custom"
    assert sent["payload"]["text"] == {"content": "你好"}
    assert sent["at"] == START + 47 * HOUR


def test_custom_messages_are_limited_to_5_per_interaction(wx):
    wx.sim("interaction", {"openid": "o-bo"})
    answers = [errcode(wx.post("/cgi-bin/message/custom/send", text("o-bo", str(n)))) for n in range(6)]
    assert answers == [0, 0, 0, 0, 0, 45047]
    assert wx.post("/cgi-bin/message/custom/send", text("o-bo"))["errmsg"] == "out of response count limit"
    wx.sim("interaction", {"openid": "o-bo"})
    assert errcode(wx.post("/cgi-bin/message/custom/send", text("o-bo"))) == 0


def test_custom_message_of_unknown_type_is_refused(wx):
    wx.sim("interaction", {"openid": "o-cy"})
    answer = wx.post("/cgi-bin/message/custom/send", {"touser": "o-cy", "msgtype": "hologram", "hologram": {}})
    assert answer == {"errcode": 40008, "errmsg": "invalid message type"}


def test_concurrent_custom_messages_never_exceed_the_limit(wx, server):
    server.state.record_interaction("o-dee")
    token = wx.token()["access_token"]

    def send(_: int) -> int:
        url = f"{wx.url}/cgi-bin/message/custom/send?access_token={token}"
        return requests.post(url, json=text("o-dee"), timeout=5).json()["errcode"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(16)))
    assert sorted(answers) == [0] * 5 + [45047] * 11


def test_template_messages_go_to_followers_only(wx):
    message = {"touser": "o-eve", "template_id": "TPL-1", "data": {"first": {"value": "会费已到账"}}}
    assert wx.post("/cgi-bin/message/template/send", message) == {"errcode": 43004, "errmsg": "require subscribe"}
    wx.sim("followers", {"openids": ["o-eve"]})
    answer = wx.post("/cgi-bin/message/template/send", message)
    assert answer["errcode"] == 0
    assert isinstance(answer["msgid"], int)
    assert wx.sent(kind="template")[0]["msg_id"] == answer["msgid"]


@pytest.mark.parametrize(("path", "account"), [("bizsend", SERVICE), ("send", MINIAPP)])
def test_subscribe_messages_spend_one_grant_each(wx, path, account):
    message = {"touser": "o-fay", "template_id": "SUB-1", "data": {"thing1": {"value": "活动报名成功"}}}
    url = f"/cgi-bin/message/subscribe/{path}"
    assert wx.post(url, message, account) == {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
    wx.sim("grant", {"openid": "o-fay", "template_id": "SUB-1", "count": 2})
    assert [errcode(wx.post(url, message, account)) for _ in range(3)] == [0, 0, 43101]
    assert len(wx.sent(openid="o-fay", kind="subscribe")) == 2


def test_mass_send_deduplicates_by_clientmsgid(wx, clock):
    wx.sim("followers", {"openids": ["o-1", "o-2"]})
    message = {"touser": ["o-1", "o-2"], "msgtype": "text", "text": {"content": "通知"}, "clientmsgid": "notice-1"}
    first = wx.post("/cgi-bin/message/mass/send", message)
    assert first["errcode"] == 0
    assert first["errmsg"] == "send job submission success"
    again = wx.post("/cgi-bin/message/mass/send", message)
    assert again == {"errcode": 45065, "errmsg": "clientmsgid exist", "msg_id": first["msg_id"]}
    assert len(wx.sent(kind="mass")) == 2
    clock.advance(24 * HOUR)
    assert errcode(wx.post("/cgi-bin/message/mass/send", message)) == 0


def test_mass_send_needs_at_least_two_openids(wx):
    message = {"touser": ["o-1"], "msgtype": "text", "text": {"content": "x"}}
    assert errcode(wx.post("/cgi-bin/message/mass/send", message)) == 40130


def test_mass_messages_reach_a_follower_at_most_4_times_a_month(wx, clock):
    wx.sim("followers", {"openids": ["o-1", "o-2"]})
    message = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "月度通知"}}
    for _ in range(5):
        assert errcode(wx.post("/cgi-bin/message/mass/sendall", message)) == 0
    flags = [(s["skipped"], s["reason"]) for s in wx.sent(openid="o-1", kind="mass")]
    assert flags == [(False, None)] * 4 + [(True, "monthly limit")]
    clock.advance(24 * HOUR)  # 1 April in Shanghai: a new month
    wx.post("/cgi-bin/message/mass/sendall", message)
    assert wx.sent(openid="o-1", kind="mass")[-1]["skipped"] is False


def test_mass_sendall_by_tag_reaches_tagged_followers_and_skips_strangers(wx):
    wx.sim("followers", {"openids": ["o-a", "o-b"], "tag_id": 7})
    wx.sim("followers", {"openids": ["o-c"]})
    message = {"filter": {"is_to_all": False, "tag_id": 7}, "msgtype": "text", "text": {"content": "会员大会"}}
    wx.post("/cgi-bin/message/mass/sendall", message)
    assert sorted(s["openid"] for s in wx.sent(kind="mass")) == ["o-a", "o-b"]
    listed = {"touser": ["o-a", "o-stranger"], "msgtype": "text", "text": {"content": "x"}}
    wx.post("/cgi-bin/message/mass/send", listed)
    assert wx.sent(openid="o-stranger")[0]["reason"] == "not a follower"


# -- drafts, publishing, menu ----------------------------------------------------------------------------


def draft(wx: Wx) -> str:
    article = {"title": "春季运动会", "content": "<p>报名开始</p>", "thumb_media_id": "THUMB"}
    return wx.post("/cgi-bin/draft/add", {"articles": [article]})["media_id"]


def test_draft_publish_and_status(wx, server, clock):
    server.state.publish_delay = 60
    assert wx.post("/cgi-bin/freepublish/submit", {"media_id": "nope"}) == {
        "errcode": 40007,
        "errmsg": "invalid media_id",
    }
    submitted = wx.post("/cgi-bin/freepublish/submit", {"media_id": draft(wx)})
    assert submitted["errcode"] == 0
    assert {"publish_id", "msg_data_id"} <= submitted.keys()
    status = wx.post("/cgi-bin/freepublish/get", {"publish_id": submitted["publish_id"]})
    assert status["publish_status"] == 1
    clock.advance(60)
    status = wx.post("/cgi-bin/freepublish/get", {"publish_id": submitted["publish_id"]})
    assert status["publish_status"] == 0
    assert status["article_detail"]["item"][0]["article_url"].startswith("https://mp.weixin.qq.com/s/")
    assert status["article_id"]
    assert wx.sent(kind="publish")[0]["openid"] is None


def test_draft_without_articles_is_refused(wx):
    assert errcode(wx.post("/cgi-bin/draft/add", {"articles": []})) == 44003


def test_mass_mpnews_needs_a_draft_and_answers_msg_data_id(wx):
    wx.sim("followers", {"openids": ["o-1", "o-2"]})
    message = {"touser": ["o-1", "o-2"], "msgtype": "mpnews", "mpnews": {"media_id": "nope"}}
    assert errcode(wx.post("/cgi-bin/message/mass/send", message)) == 40007
    message["mpnews"]["media_id"] = draft(wx)
    assert "msg_data_id" in wx.post("/cgi-bin/message/mass/send", message)


def test_menu_create_get_and_delete(wx):
    assert wx.get("/cgi-bin/menu/get") == {"errcode": 46003, "errmsg": "menu no exist"}
    assert wx.post("/cgi-bin/menu/create", MENU) == {"errcode": 0, "errmsg": "ok"}
    assert wx.get("/cgi-bin/menu/get") == {"menu": MENU}
    info = wx.get("/cgi-bin/get_current_selfmenu_info")
    assert info["is_menu_open"] == 1
    assert info["selfmenu_info"]["button"][1]["sub_button"]["list"][0]["url"] == "https://example.com/join"
    assert errcode(wx.get("/cgi-bin/menu/delete")) == 0
    assert errcode(wx.get("/cgi-bin/menu/get")) == 46003


def click(name: str = "按钮", key: str = "K") -> dict[str, str]:
    return {"type": "click", "name": name, "key": key}


@pytest.mark.parametrize(
    ("buttons", "code"),
    [
        ([click()] * 4, 40016),
        ([], 40016),
        ([{"type": "teleport", "name": "x"}], 40017),
        ([click(name="一二三四五六")], 40018),  # 18 bytes of UTF-8
        ([click(key="k" * 129)], 40019),
        ([{"type": "view", "name": "x"}], 40020),
        ([{"name": "多", "sub_button": [click()] * 6}], 40023),
        ([{"name": "多", "sub_button": [{"type": "teleport", "name": "x"}]}], 40024),
        ([{"name": "多", "sub_button": [click(name="名" * 21)]}], 40025),
        ([{"name": "多", "sub_button": [click(key="")]}], 40026),
        ([{"name": "多", "sub_button": [{"type": "view", "name": "x", "url": "u" * 1025}]}], 40027),
    ],
)
def test_menu_create_validates_like_wechat(wx, buttons, code):
    assert errcode(wx.post("/cgi-bin/menu/create", {"button": buttons})) == code


# -- mini-program ----------------------------------------------------------------------------------------


def test_jscode2session_accepts_sim_codes_once(wx):
    appid, secret = MINIAPP
    params = {"appid": appid, "secret": secret, "grant_type": "authorization_code"}

    def login(code: str, **changes: str) -> dict[str, Any]:
        return wx.http.get(f"{wx.url}/sns/jscode2session", params={**params, "js_code": code, **changes}).json()

    session = login("sim:o-mini")
    assert session["openid"] == "o-mini"
    assert session["unionid"] == "u-o-mini"
    assert len(base64.b64decode(session["session_key"])) == 16
    assert login("sim:o-mini") == {"errcode": 40163, "errmsg": "code been used"}
    assert login("071abcDEF") == {"errcode": 40029, "errmsg": "invalid code"}
    assert login("sim:o-other", secret="wrong")["errcode"] == 40125


def test_getuserphonenumber(wx, server):
    answer = wx.post("/wxa/business/getuserphonenumber", {"code": "sim:13800138000"}, MINIAPP)
    assert answer == {
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": "13800138000",
            "purePhoneNumber": "13800138000",
            "countryCode": "86",
            "watermark": {"timestamp": int(START), "appid": MINIAPP[0]},
        },
    }
    assert errcode(wx.post("/wxa/business/getuserphonenumber", {"code": "sim:1380"}, MINIAPP)) == 40029


# -- quotas, faults, bookkeeping -------------------------------------------------------------------------


def test_daily_quota_is_settable_clearable_and_resets_at_midnight_in_shanghai(wx, clock):
    wx.token()
    wx.sim("quota", {"path": "/cgi-bin/menu/delete", "remaining": 1})
    assert errcode(wx.get("/cgi-bin/menu/delete")) == 0
    assert wx.get("/cgi-bin/menu/delete") == {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
    assert errcode(wx.post("/cgi-bin/clear_quota", {"appid": SERVICE[0]})) == 0
    assert errcode(wx.get("/cgi-bin/menu/delete")) == 0
    wx.sim("quota", {"path": "/cgi-bin/menu/delete", "remaining": 0})
    clock.advance(12 * HOUR)  # midnight in Shanghai
    assert errcode(wx.get("/cgi-bin/menu/delete")) == 0


def test_faults_answer_the_chosen_errcode_for_the_next_requests_on_chosen_paths(wx):
    wx.token()
    wx.sim("faults", {"error_rate": 1.0, "errcode": 45009, "count": 2, "paths": ["/cgi-bin/menu/"]})
    assert errcode(wx.get("/cgi-bin/get_current_selfmenu_info")) == 0  # another path
    assert [errcode(wx.get("/cgi-bin/menu/delete")) for _ in range(3)] == [45009, 45009, 0]
    wx.sim("faults", {"error_rate": 1.0})
    assert wx.get("/cgi-bin/menu/delete") == {"errcode": -1, "errmsg": "system error"}
    assert wx.sim("faults", method="DELETE").json() == {"ok": True}
    assert errcode(wx.get("/cgi-bin/menu/delete")) == 0


def test_fault_latency_delays_answers(wx):
    wx.token()
    wx.sim("faults", {"latency_ms": 150, "count": 1})
    started = time.monotonic()
    assert errcode(wx.get("/cgi-bin/menu/delete")) == 0
    assert time.monotonic() - started >= 0.15


def test_calls_are_counted_per_path_and_reset_forgets_everything(wx):
    token = wx.token()["access_token"]
    wx.get("/cgi-bin/menu/delete")
    wx.get("/cgi-bin/menu/delete")
    assert wx.http.get(f"{wx.url}/sim/calls").json() == {"calls": {"/cgi-bin/token": 1, "/cgi-bin/menu/delete": 2}}
    wx.sim("interaction", {"openid": "o-gus"})
    wx.sim("reset")
    assert wx.http.get(f"{wx.url}/sim/calls").json() == {"calls": {}}
    assert errcode(wx.get("/cgi-bin/menu/delete", access_token=token)) == 40001  # tokens are forgotten too
    assert errcode(wx.post("/cgi-bin/message/custom/send", text("o-gus"))) == 45015  # and interactions


def test_wrong_http_method_is_answered_like_wechat(wx):
    assert errcode(wx.get("/cgi-bin/menu/create")) == 43002
    assert errcode(wx.post("/cgi-bin/menu/get", {})) == 43001


def test_control_api_rejects_malformed_requests(wx):
    answer = wx.sim("grant", {"openid": "o-1"})
    assert answer.status_code == 400
    assert answer.json() == {"error": "template_id is required"}
    assert wx.sim("faults", {"count": "two"}).status_code == 400


def test_state_is_usable_from_python(clock):
    state = SimulatorState(accounts={"wxother": "s3cret"})
    state.clock = clock
    state.record_interaction("o-1")
    state.deliver("custom", "wxother", "o-1", {"msgtype": "text"})
    assert state.sent_messages(openid="o-1")[0]["at"] == START
    assert state.sent_messages(kind="mass") == []
    state.reset()
    assert state.sent_messages() == []
    assert state.accounts == {"wxother": "s3cret"}


def test_server_accepts_an_app_and_stops_cleanly():
    server = SimulatorServer(create_simulator())
    with pytest.raises(RuntimeError):
        _ = server.url
    with server:
        assert requests.get(f"{server.url}/sim/calls", timeout=5).json() == {"calls": {}}
    server.stop()


# -- wechatpy, unchanged ---------------------------------------------------------------------------------


class SimulatedClient(WeChatClient):
    """wechatpy's WeChatClient aimed at the simulator.

    API_BASE_URL covers the cgi-bin APIs; wechatpy hard-codes the token URL and gives WeChatWxa its own
    absolute base, so those two are re-aimed as well.
    """

    def __init__(self, url: str, appid: str, secret: str) -> None:
        super().__init__(appid, secret)
        self.API_BASE_URL = f"{url}/cgi-bin/"
        self.wxa.API_BASE_URL = f"{url}/"

    def fetch_access_token(self) -> dict[str, Any]:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        return self._fetch_access_token(url=f"{self.API_BASE_URL}token", params=params)


@pytest.fixture
def wechatpy_client(server):
    client = SimulatedClient(server.url, *SERVICE)
    yield client
    client._http.close()


def test_wechatpy_talks_to_the_simulator(wechatpy_client, server):
    client = wechatpy_client
    client.menu.create(MENU)
    assert client.menu.get() == {"menu": MENU}
    server.state.record_interaction("o-wp")
    assert client.message.send_text("o-wp", "欢迎加入工会") == {"errcode": 0, "errmsg": "ok"}
    server.state.add_followers(["o-wp", "o-wp2"])
    assert client.message.send_template("o-wp", "TPL", {"first": {"value": "x"}})["msgid"]
    assert client.message.send_mass_text("全体通知", is_to_all=True)["msg_id"]
    with pytest.raises(WeChatClientException) as refused:
        client.message.send_subscribe_message("o-wp", "SUB", {"thing1": {"value": "x"}})
    assert refused.value.errcode == 43101
    assert server.state.call_counts()["/cgi-bin/token"] == 1


def test_wechatpy_refetches_an_expired_token_by_itself(wechatpy_client, server):
    wechatpy_client.menu.delete()
    server.state.expire_tokens()
    wechatpy_client.menu.delete()
    assert server.state.call_counts() == {"/cgi-bin/token": 2, "/cgi-bin/menu/delete": 3}


def test_wechatpy_mini_program_login_and_phone_number(server):
    client = SimulatedClient(server.url, *MINIAPP)
    try:
        assert client.wxa.code_to_session("sim:o-mp")["openid"] == "o-mp"
        assert client.wxa.get_phone_number("sim:13900139000")["phone_info"]["purePhoneNumber"] == "13900139000"
    finally:
        client._http.close()
