"""`manage.py reencrypt`: AES → SM → AES keeps every value and every blind-index search,
old header-less values are rewritten, an interrupted run resumes, undecryptable values are
reported without stopping the others."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.core import crypto
from gongzhi.core.management.commands import reencrypt
from gongzhi.core.models import AuditRecord, User
from gongzhi.people import selectors
from gongzhi.people.models import Resident

from .test_crypto import LEGACY_ID, LEGACY_KEY, LEGACY_PHONE

PEOPLE = [(f"4201111980010{i:04d}{i % 10}", f"1380013{i:04d}") for i in range(7)]


def _run(**options) -> str:
    out = io.StringIO()
    call_command("reencrypt", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def people(db, settings):
    settings.FIELD_CRYPTO = "aes"
    settings.FIELD_ENCRYPTION_KEY = LEGACY_KEY
    residents = []
    for i, (number, phone) in enumerate(PEOPLE):
        r = Resident(name=f"居民{i}", name_initials="jm", gender="m")
        r.id_encrypted, r.id_index, r.id_masked = crypto.protect("id", number)
        r.phone_encrypted, r.phone_index, r.phone_masked = crypto.protect("phone", phone)
        residents.append(r)
    # One resident without a phone: nothing to rewrite there.
    residents[-1].phone_encrypted = residents[-1].phone_index = residents[-1].phone_masked = ""
    # One resident stored before headers existed (version 1 AES, the fixed legacy vector).
    legacy = Resident(name="老数据", name_initials="lsj", gender="m", id_encrypted=LEGACY_ID)
    legacy.id_index = crypto.blind_index("id", "42011119800101001X")
    legacy.phone_encrypted = LEGACY_PHONE
    legacy.phone_index = crypto.blind_index("phone", "13800138000")
    residents.append(legacy)
    Resident.objects.bulk_create(residents)
    users = [User.objects.create_user(username=None, name=f"居民{i}", phone=p) for _, p in PEOPLE]
    return residents, users


def _expected():
    values = {(n, p if i < len(PEOPLE) - 1 else "") for i, (n, p) in enumerate(PEOPLE)}
    return values | {("42011119800101001X", "13800138000")}


def _check_all_readable_and_searchable():
    seen = set()
    for r in Resident.objects.all():
        number = crypto.decrypt(r.id_encrypted)
        phone = crypto.decrypt(r.phone_encrypted) if r.phone_encrypted else ""
        seen.add((number, phone))
        assert Resident.objects.get(id_index=crypto.blind_index("id", number)).pk == r.pk
        # The residents' search box (people.selectors.search) finds them by number too.
        everyone = Resident.objects.all()
        assert r in selectors.search(None, {"q": number}, base=everyone)
        if phone:
            assert Resident.objects.filter(phone_index=crypto.blind_index("phone", phone)).exists()
            assert r in selectors.search(None, {"q": phone}, base=everyone)
    assert seen == _expected()
    for _, phone in PEOPLE:
        assert crypto.decrypt(User.objects.get_by_phone(phone).phone_encrypted) == phone


def _sealings(model, column):
    return {
        crypto.sealing_of(t).label
        for t in model.objects.exclude(**{column: ""}).values_list(column, flat=True)
    }


def test_aes_to_sm_and_back_keeps_values_and_searches(people, settings):
    _check_all_readable_and_searchable()
    # Switch the installation to the commercial suite with a new key version.
    settings.FIELD_CRYPTO = "sm"
    settings.FIELD_ENCRYPTION_KEY = f"2:sm-key-secret,1:{LEGACY_KEY}"
    # Until reencrypt has run, values still decrypt but searches miss (old blind indexes).
    assert crypto.decrypt(Resident.objects.first().id_encrypted)
    assert not selectors.search(None, {"q": PEOPLE[0][1]}, base=Resident.objects.all()).exists()
    output = _run(batch_size=3)
    assert "target: sm4:2" in output
    assert "people.Resident.id_encrypted: 8 values, 0 already current, 8 rewritten" in output
    assert "people.Resident.phone_encrypted: 7 values, 0 already current, 7 rewritten" in output
    assert "core.User.phone_encrypted: 7 values, 0 already current, 7 rewritten" in output
    assert "aes:1 (no header) 1" in output
    assert _sealings(Resident, "id_encrypted") == {"sm4:2"}
    assert _sealings(User, "phone_encrypted") == {"sm4:2"}
    _check_all_readable_and_searchable()
    # Old key no longer needed once everything is rewritten.
    settings.FIELD_ENCRYPTION_KEY = "2:sm-key-secret"
    _check_all_readable_and_searchable()
    audit = AuditRecord.objects.filter(action="crypto.reencrypt").get()
    assert audit.changes["target"] == "sm4:2"
    assert "13800" not in str(audit.changes)

    # And back to AES, with a third key version.
    settings.FIELD_CRYPTO = "aes"
    settings.FIELD_ENCRYPTION_KEY = "3:aes-key-three,2:sm-key-secret"
    output = _run()
    assert "total: 22 rewritten, 0 failed" in output
    assert _sealings(Resident, "phone_encrypted") == {"aes:3"}
    _check_all_readable_and_searchable()
    # A second run has nothing left to do.
    assert "total: 0 rewritten, 0 failed" in _run()


def test_dry_run_counts_without_writing(people, settings):
    settings.FIELD_CRYPTO = "sm"
    before = list(Resident.objects.values_list("id_encrypted", flat=True))
    output = _run(dry_run=True)
    assert "people.Resident.id_encrypted: 8 values, 0 already current, 0 rewritten" in output
    assert "aes:1 7" in output and "aes:1 (no header) 1" in output
    assert list(Resident.objects.values_list("id_encrypted", flat=True)) == before


def test_interrupted_run_resumes(people, settings, monkeypatch):
    settings.FIELD_CRYPTO = "sm"
    real_batch = reencrypt.Command._batch
    calls = {"n": 0}

    def crash_on_second_batch(self, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_batch(self, *args)

    monkeypatch.setattr(reencrypt.Command, "_batch", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        _run(batch_size=3)
    # Users come first: their first batch of three committed, the rest keeps its old header.
    suites = [
        crypto.sealing_of(t).suite for t in User.objects.values_list("phone_encrypted", flat=True)
    ]
    assert sorted(suites) == ["aes"] * 4 + ["sm"] * 3
    assert _sealings(Resident, "id_encrypted") == {"aes:1", "aes:1 (no header)"}
    # Mid-way every value still decrypts, each with its own header.
    for user in User.objects.all():
        assert crypto.decrypt(user.phone_encrypted).startswith("138")
    monkeypatch.setattr(reencrypt.Command, "_batch", real_batch)
    output = _run(batch_size=3)
    assert "core.User.phone_encrypted: 7 values, 3 already current, 4 rewritten" in output
    assert _sealings(Resident, "id_encrypted") == {"sm4:1"}
    assert _sealings(Resident, "phone_encrypted") == {"sm4:1"}
    assert _sealings(User, "phone_encrypted") == {"sm4:1"}
    _check_all_readable_and_searchable()


def test_a_value_that_does_not_read_back_rolls_the_batch_back(people, settings, monkeypatch):
    settings.FIELD_CRYPTO = "sm"
    before_users = list(User.objects.order_by("pk").values_list("phone_encrypted", flat=True))
    before_residents = list(Resident.objects.order_by("pk").values_list("id_encrypted", flat=True))
    real = crypto.Protector.encrypt

    def corrupting(self, plain):
        return real(self, plain + "9" if plain.endswith("0002") else plain)

    monkeypatch.setattr(crypto.Protector, "encrypt", corrupting)
    with pytest.raises(reencrypt.VerifyFailed, match="does not read back"):
        call_command("reencrypt", "--batch-size", "50", stdout=io.StringIO())
    # The users' batch held the bad value: none of it was written, and nothing after it ran.
    assert list(User.objects.order_by("pk").values_list("phone_encrypted", flat=True)) == (
        before_users
    )
    assert list(Resident.objects.order_by("pk").values_list("id_encrypted", flat=True)) == (
        before_residents
    )


def test_undecryptable_values_are_reported_and_the_rest_rewritten(people, settings):
    Resident.objects.filter(name="居民0").update(id_encrypted="aes:9:AAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    settings.FIELD_CRYPTO = "sm"
    with pytest.raises(CommandError, match="1 value"):
        _run()
    assert _sealings(User, "phone_encrypted") == {"sm4:1"}
    assert _sealings(Resident, "id_encrypted") == {"sm4:1", "aes:9"}


def test_every_indexed_protected_field_has_a_kind():
    for pf in crypto.protected_fields():
        names = {f.name for f in pf.model._meta.concrete_fields}
        assert (f"{pf.name}_index" in names) == (pf.kind is not None), str(pf)


def test_bad_batch_size_refused(db):
    with pytest.raises(CommandError, match="--batch-size"):
        _run(batch_size=0)
