"""Encryption at rest and keyed lookup hashes for personal data (phones, ID numbers)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

from .errors import DomainError

VERSION = b"\x01"


class DataKeyError(DomainError):
    """DATA_KEY is missing or malformed."""

    code = "bad_data_key"


class DataKey:
    """Two keys derived from DATA_KEY: one encrypts, one makes lookup hashes."""

    def __init__(self, data_key: str):
        try:
            raw = base64.b64decode(data_key.encode(), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise DataKeyError("DATA_KEY must be 32 random bytes in base64 (openssl rand -base64 32)")
        self._aead = AESGCM(self._derive(raw, b"gonghui encrypt v1"))
        self._index_key = self._derive(raw, b"gonghui index v1")

    @staticmethod
    def _derive(raw: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)

    def encrypt(self, text: str) -> bytes:
        """Encrypt text with a fresh nonce."""
        nonce = os.urandom(12)
        return VERSION + nonce + self._aead.encrypt(nonce, text.encode(), None)

    def decrypt(self, blob: bytes) -> str:
        """Decrypt what encrypt() produced."""
        if blob[:1] != VERSION:
            raise DataKeyError("unknown ciphertext version")
        return self._aead.decrypt(blob[1:13], blob[13:], None).decode()

    def blind_index(self, text: str) -> str:
        """Return a keyed hash of text, to find rows without decrypting them."""
        return hmac.new(self._index_key, text.encode(), hashlib.sha256).hexdigest()


_key: DataKey | None = None


def configure(data_key: str) -> None:
    """Install the process-wide data key (called once at start-up)."""
    global _key
    _key = DataKey(data_key)


def key() -> DataKey:
    """Return the installed data key."""
    if _key is None:
        raise DataKeyError("DATA_KEY has not been configured")
    return _key


def blind_index(text: str) -> str:
    """Return the keyed lookup hash of text with the installed key."""
    return key().blind_index(text)


class EncryptedText(TypeDecorator):
    """A text column stored encrypted with DATA_KEY."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else key().encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else key().decrypt(bytes(value))
