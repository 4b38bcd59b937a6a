"""Phones and ID numbers: validated, encrypted at rest, found by keyed hash, masked in logs."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from models import workers
from models.crypto import DataKey, DataKeyError
from models.errors import Conflict, Invalid
from models.masking import install_log_masking, mask_phone, mask_text

PHONE = "13837310001"  # 张伟 in the demo data
ID_NUMBER = "11010519491231002X"


def _raw_database_bytes(session, backend) -> bytes:
    """Return everything the database holds about workers, as bytes on disk would."""
    if backend.name == "sqlite":
        session.bind.dispose()  # closing the last connection folds the WAL into the file
        return Path(backend.database_url.removeprefix("sqlite:///")).read_bytes()
    rows = session.execute(text("SELECT w::text FROM workers w")).scalars()
    return "\n".join(rows).encode()


def test_phone_and_id_number_never_reach_the_database_in_clear(demo, backend):
    worker = demo.worker("张伟")
    worker.id_number = ID_NUMBER
    demo.session.commit()
    raw = _raw_database_bytes(demo.session, backend)
    assert "张伟".encode() in raw  # the name is stored in clear: the read is real
    for secret in (PHONE, ID_NUMBER, "19491231"):
        assert secret.encode() not in raw
        assert secret.encode("utf-16-le") not in raw


def test_worker_is_found_by_phone_in_any_common_spelling(demo):
    for spelling in (PHONE, "+86 138-3731-0001", "138 3731 0001"):
        assert workers.find_by_phone(demo.session, spelling).name == "张伟"
    assert workers.find_by_phone(demo.session, "13900000000") is None


def test_one_phone_belongs_to_one_worker(demo):
    with pytest.raises(Conflict) as error:
        workers.create_worker(demo.session, name="冒名者", phone=PHONE)
    assert error.value.detail == {"field": "phone"}


@pytest.mark.parametrize("phone", ["12345", "23837310001", "1383731000a", "138373100011"])
def test_bad_phone_numbers_are_refused_in_chinese(demo, phone):
    with pytest.raises(Invalid, match="手机号码"):
        workers.create_worker(demo.session, name="王五", phone=phone)


def test_id_number_check_digit_is_verified(demo):
    with pytest.raises(Invalid, match="校验位"):
        workers.create_worker(demo.session, name="王五", id_number="110105194912310021")
    assert workers.create_worker(demo.session, name="王五", id_number=ID_NUMBER.lower()).id_number == ID_NUMBER


def test_ciphertext_needs_the_key_and_differs_each_time():
    key = DataKey("ZGV2LWRhdGEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE=")
    first, second = key.encrypt(PHONE), key.encrypt(PHONE)
    assert first != second and key.decrypt(first) == key.decrypt(second) == PHONE
    other = DataKey(base64.b64encode(b"another-key-of-thirty-two-bytes!").decode())
    with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidTag)
        other.decrypt(first)
    assert key.blind_index(PHONE) != other.blind_index(PHONE)


@pytest.mark.parametrize("bad", ["", "short", "!!!!notbase64!!!!"])
def test_malformed_data_key_is_refused(bad):
    with pytest.raises(DataKeyError, match="DATA_KEY"):
        DataKey(bad)


def test_logs_show_phones_and_id_numbers_masked(caplog):
    install_log_masking()
    with caplog.at_level(logging.INFO):
        logging.getLogger("gonghui.test").info("worker %s with id %s called", PHONE, ID_NUMBER)
    assert "138****0001" in caplog.text and "110105********002X" in caplog.text
    assert PHONE not in caplog.text and ID_NUMBER not in caplog.text
    assert mask_phone(PHONE) == "138****0001"
    assert mask_text("电话13837310001，订单号2024061300000000001") == "电话138****0001，订单号2024061300000000001"
