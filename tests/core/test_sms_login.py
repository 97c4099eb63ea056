"""Residents log in with a one-time SMS code behind a pluggable sender."""

import re

import pytest

from gongzhi.core import sms
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.conftest import make_user

PHONE = "13966667777"


@pytest.fixture
def resident(world, settings):
    settings.SMS_BACKEND = "gongzhi.core.sms.MemoryBackend"
    sms.MemoryBackend.outbox.clear()
    return make_user(
        Role.RESIDENT,
        world.grid_a1_1.buildings[0],
        household=Household.objects.first(),
        phone=PHONE,
    )


def _sent_code():
    phone, text = sms.MemoryBackend.outbox[-1]
    assert phone == PHONE
    return re.search(r"\d{6}", text).group()


def test_code_login(resident, client):
    res = client.post("/login/sms/", {"phone": PHONE})
    assert res.status_code == 200 and 'name="code"' in res.content.decode()
    code = _sent_code()
    res = client.post("/login/sms/", {"phone": PHONE, "code": code})
    assert res.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_a_code_works_once(resident, client):
    client.post("/login/sms/", {"phone": PHONE})
    code = _sent_code()
    assert sms.check_login_code(PHONE, code) is True
    assert sms.check_login_code(PHONE, code) is False


def test_wrong_codes_are_limited(resident, client, settings):
    client.post("/login/sms/", {"phone": PHONE})
    code = _sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.SMS_CODE_MAX_TRIES):
        res = client.post("/login/sms/", {"phone": PHONE, "code": wrong})
        assert res.status_code == 400
    # The code is burnt after too many wrong tries.
    assert client.post("/login/sms/", {"phone": PHONE, "code": code}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_unknown_number_gets_the_same_answer_and_no_sms(resident, client):
    res = client.post("/login/sms/", {"phone": "13700000000"})
    assert res.status_code == 200 and 'name="code"' in res.content.decode()
    assert sms.MemoryBackend.outbox == []


def test_bad_phone_is_a_form_error(resident, client):
    res = client.post("/login/sms/", {"phone": "12345"})
    assert res.status_code == 400
    assert sms.MemoryBackend.outbox == []


def test_console_backend_masks_the_phone(capsys):
    sms.ConsoleBackend().send(PHONE, "hello")
    out = capsys.readouterr().out
    assert "139****7777" in out and PHONE not in out
