"""WeChat's message signatures and its AES message encryption (safe mode)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class BadMessage(ValueError):
    """A message that cannot be decrypted, or was encrypted for another account."""


def sign(*parts: str) -> str:
    """Return WeChat's signature: SHA-1 of the sorted parts joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324  (WeChat's protocol)


def signature_matches(signature: str, *parts: str) -> bool:
    """Compare a signature in constant time."""
    return hmac.compare_digest(sign(*parts).encode(), (signature or "").encode())


class MessageCipher:
    """AES-256-CBC with the account's EncodingAESKey, as WeChat encrypts messages."""

    def __init__(self, encoding_aes_key: str, appid: str):
        try:
            self.key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as error:
            raise ValueError("the EncodingAESKey is not 43 characters of base64") from error
        if len(self.key) != 32:
            raise ValueError("the EncodingAESKey is not 43 characters of base64")
        self.appid = appid

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, text: str, random16: bytes | None = None) -> str:
        """Encrypt text for this account; random16 is only fixed by known-answer tests."""
        body = text.encode()
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.appid.encode()
        pad = BLOCK - len(plain) % BLOCK
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        """Decrypt a message and check that it was meant for this account."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
            if not raw or len(raw) % 16:
                raise BadMessage("ciphertext length")
            decryptor = self._cipher().decryptor()
            plain = decryptor.update(raw) + decryptor.finalize()
            pad = plain[-1]
            if not 1 <= pad <= BLOCK:
                raise BadMessage("padding")
            plain = plain[:-pad]
            (length,) = struct.unpack(">I", plain[16:20])
            body, appid = plain[20 : 20 + length], plain[20 + length :]
            text = body.decode()
        except (binascii.Error, struct.error, UnicodeDecodeError, ValueError) as error:
            raise BadMessage("undecryptable") from error
        if len(body) != length or not hmac.compare_digest(appid, self.appid.encode()):
            raise BadMessage("message for another appid")
        return text
