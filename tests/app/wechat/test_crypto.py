"""WeChat's message crypto, checked against the samples in WeChat's documentation."""

from __future__ import annotations

import pytest

from app.wechat.crypto import BadMessage, MessageCipher, sign, signature_matches

# The sample of WeChat's message encryption documentation (as also used by wechatpy's tests).
TOKEN = "123456"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APPID = "wx49f0ab532d5d035a"
SAMPLE_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6y"
    "dJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/T"
    "ywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t"
    "6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
REPLY = """<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>"""
REPLY_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5"
    "nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03o"
    "xI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxE"
    "E8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)


def test_sample_message_decrypts_and_its_signature_matches():
    assert signature_matches(
        "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", TOKEN, "1411525903", "461056294", SAMPLE_ENCRYPT
    )
    text = MessageCipher(AES_KEY, APPID).decrypt(SAMPLE_ENCRYPT)
    assert "<Content><![CDATA[test]]></Content>" in text and "messense" in text


def test_sample_reply_encrypts_to_the_documented_bytes():
    encrypted = MessageCipher(AES_KEY, APPID).encrypt(REPLY, random16=b"1234567890123456")
    assert encrypted == REPLY_ENCRYPT
    assert sign(TOKEN, "1411525903", "461056294", encrypted) == "407518b7649e86ef23978113f92d27afa9296533"


def test_message_for_another_appid_is_refused():
    with pytest.raises(BadMessage):
        MessageCipher(AES_KEY, "wx0000000000000000").decrypt(SAMPLE_ENCRYPT)


@pytest.mark.parametrize("garbage", ["", "not base64!", "AAAA", SAMPLE_ENCRYPT[:-8] + "AAAAAAA="])
def test_garbage_is_refused_not_crashed(garbage):
    with pytest.raises(BadMessage):
        MessageCipher(AES_KEY, APPID).decrypt(garbage)


def test_round_trip_with_chinese():
    cipher = MessageCipher(AES_KEY, APPID)
    assert cipher.decrypt(cipher.encrypt("我要给孩子报名暑期托管")) == "我要给孩子报名暑期托管"
    assert not signature_matches("0" * 40, TOKEN, "1", "2")
