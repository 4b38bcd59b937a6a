"""Open a push from WeChat (signature, freshness, safe-mode decryption) and seal a reply."""

from __future__ import annotations

import time

from .accounts import Account
from .crypto import BadMessage, sign, signature_matches
from .parsing import BadPush, parse_json, parse_xml

MAX_SKEW = 300  # seconds between WeChat's timestamp and our clock
TRIES_SECONDS = 15  # WeChat tries a push 3 times, waiting 5 s for each


class Forbidden(Exception):
    """Not from WeChat: bad signature, stale timestamp, or encrypted for another account."""


def check_signature(account: Account, args) -> None:
    """Check the URL signature and that the timestamp is fresh."""
    timestamp, nonce, signature = args.get("timestamp", ""), args.get("nonce", ""), args.get("signature", "")
    if not (timestamp.isdigit() and nonce and signature_matches(signature, account.token, timestamp, nonce)):
        raise Forbidden("bad signature")
    if abs(time.time() - int(timestamp)) > MAX_SKEW:
        raise Forbidden("stale timestamp")


def tries_over(args) -> bool:
    """Whether WeChat gave up on every try of this push before we got to it (it waited for a free worker)."""
    # A retry may carry its first try's timestamp or its own: either way none listens after 15 s.
    return time.time() - int(args["timestamp"]) > TRIES_SECONDS


def open_push(account: Account, args, body: bytes, allow_json: bool) -> tuple[dict, bool]:
    """Return the message fields and whether the push was encrypted (safe or compatible mode)."""
    as_json = allow_json and body.lstrip()[:1] == b"{"
    fields = parse_json(body) if as_json else parse_xml(body)
    if args.get("encrypt_type", "raw") != "aes":
        return fields, False
    encrypted = fields.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise BadPush("Encrypt is missing")
    if not signature_matches(
        args.get("msg_signature", ""), account.token, args.get("timestamp", ""), args.get("nonce", ""), encrypted
    ):
        raise Forbidden("bad msg_signature")
    try:
        plain = account.cipher().decrypt(encrypted)
    except BadMessage as error:
        raise Forbidden(str(error)) from error
    return (parse_json if as_json else parse_xml)(plain.encode()), True


def seal(account: Account, xml: str, nonce: str) -> str:
    """Encrypt and sign a reply as WeChat expects in safe mode."""
    encrypted = account.cipher().encrypt(xml)
    timestamp = str(int(time.time()))
    signature = sign(account.token, timestamp, nonce, encrypted)
    return (
        f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt><MsgSignature><![CDATA[{signature}]]></MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
    )
