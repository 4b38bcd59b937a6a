"""No body whatever makes /wechat fail with a 5xx; hostile XML is refused quickly."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import samples


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (samples.BILLION_LAUGHS, 400),
        (samples.EXTERNAL_ENTITY, 400),
        (b"<xml>" + b"<a>" * 500 + b"</a>" * 500 + b"</xml>", 400),
        (b"\x00\xff\xfe random bytes \x89PNG", 400),
        (b"", 400),
        (b"<xml><ToUserName>a</ToUserName></xml>", 400),
        (b"<xml><FromUserName>o</FromUserName><CreateTime>x</CreateTime><MsgType>text</MsgType></xml>", 400),
        (b"<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>", 400),
        (b"<notxml/>", 400),
        (b"<xml><FromUserName><b>nested</b></FromUserName></xml>", 400),
    ],
)
def test_hostile_or_broken_bodies_get_a_quick_4xx(wechat, body, status):
    started = time.monotonic()
    assert wechat.raw(body).status_code == status
    assert time.monotonic() - started < 1.0


def test_bodies_over_64_kib_are_refused_unread(wechat):
    assert wechat.raw(b"<xml>" + b"a" * (64 * 1024) + b"</xml>").status_code == 413


def test_safe_mode_without_encrypt_or_with_garbage_is_4xx(wechat):
    assert wechat.raw(b"<xml><ToUserName>a</ToUserName></xml>", encrypt_type="aes").status_code == 400
    body = b"<xml><Encrypt><![CDATA[bm90IGVuY3J5cHRlZA==]]></Encrypt></xml>"
    assert wechat.raw(body, encrypt_type="aes", msg_signature="0" * 40).status_code == 403


xml_ish = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda s: f"<xml>{s}</xml>".encode()),
    st.dictionaries(
        st.sampled_from(["FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "EventKey"]),
        st.text(max_size=50),
    ).map(lambda d: ("<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in d.items()) + "</xml>").encode()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=xml_ish, aes=st.booleans())
def test_no_body_gives_a_5xx(wechat, body, aes):
    response = wechat.raw(body, **({"encrypt_type": "aes"} if aes else {}))
    assert response.status_code < 500
