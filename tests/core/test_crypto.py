"""Protected fields: both suites round trip, headers record suite and key version, values
written before headers (version 1 AES) still decrypt, several key versions, tamper refused."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured

from gongzhi.core import crypto

# Written by the code before suites and headers existed, with this key (kept as a fixed vector).
LEGACY_KEY = "legacy-test-key-0123456789"
LEGACY_PHONE = "AWV7u3NDu4AfMo/ARxjXBcnNyY8rJ6LfBuhh4iOZHs5+r/roOoUQUQ=="
LEGACY_ID = "AWbIJfhHZzXHGNi/I/9hlqFiaxMJvVQ9z0vhqxJrsecgFDLeRd9cxhgzF2M8MZ8="
LEGACY_PHONE_INDEX = "dbd8e213875e291cb305206877ca617b44ac8b5dd726a62363db27d05fa64f5b"


@pytest.fixture
def suite(settings):
    def use(name, key="k1-secret"):
        settings.FIELD_CRYPTO = name
        settings.FIELD_ENCRYPTION_KEY = key

    return use


@pytest.mark.parametrize("name,tag", [("aes", "aes:1:"), ("sm", "sm4:1:")])
def test_round_trip_in_both_suites(suite, name, tag):
    suite(name)
    token = crypto.encrypt("13800138000")
    assert token.startswith(tag)
    assert crypto.decrypt(token) == "13800138000"
    assert crypto.sealing_of(token) == crypto.Sealing(name, 1)
    # Random nonce: the same value seals differently, the blind index is stable.
    assert crypto.encrypt("13800138000") != token
    assert crypto.blind_index("phone", "13800138000") == crypto.blind_index("phone", "13800138000")
    many = crypto.Protector().encrypt_many(["a", "乙", ""])
    assert [crypto.decrypt(t) for t in many] == ["a", "乙", ""]


def test_the_suites_differ_in_cipher_and_index(suite):
    suite("aes")
    aes_index = crypto.blind_index("id", "42011119800101001X")
    suite("sm")
    sm_index = crypto.blind_index("id", "42011119800101001X")
    assert aes_index != sm_index
    assert len(sm_index) == 64  # fits the existing index columns


def test_sm4_gcm_and_hmac_sm3_are_the_real_algorithms(suite):
    """Decrypt an SM value by hand with SM4-GCM and recompute the index with HMAC-SM3."""
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    suite("sm")
    token = crypto.encrypt("13900001111")
    raw = base64.b64decode(token.removeprefix("sm4:1:"))
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    key = crypto._subkey(b"field-encryption", "k1-secret", "sm")[:16]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(b"sm4:1")
    assert dec.update(body) + dec.finalize() == b"13900001111"
    mac = hmac.HMAC(crypto._subkey(b"blind-index", "k1-secret", "sm"), hashes.SM3())
    mac.update(b"phone:13900001111")
    assert crypto.blind_index("phone", "13900001111") == mac.finalize().hex()


@pytest.mark.parametrize("name", ["aes", "sm"])
def test_old_headerless_values_decrypt_as_version_1_aes(suite, name):
    suite(name, key=LEGACY_KEY)
    assert crypto.decrypt(LEGACY_PHONE) == "13800138000"
    assert crypto.decrypt(LEGACY_ID) == "42011119800101001X"
    assert crypto.sealing_of(LEGACY_PHONE) == crypto.Sealing("aes", 1, legacy=True)


def test_aes_index_unchanged_for_a_single_key(suite):
    """The default suite with the same key keeps every existing blind index valid."""
    suite("aes", key=LEGACY_KEY)
    assert crypto.blind_index("phone", "13800138000") == LEGACY_PHONE_INDEX


def test_several_key_versions_current_is_highest(suite):
    suite("aes", key="k1-secret")
    old = crypto.encrypt("13800138000")
    suite("sm", key="2:k2-secret,1:k1-secret")
    assert crypto.current() == crypto.Sealing("sm", 2)
    new = crypto.encrypt("13800138000")
    assert new.startswith("sm4:2:")
    assert crypto.decrypt(old) == crypto.decrypt(new) == "13800138000"
    # Without the old version the old value cannot be read, with a clear error.
    suite("sm", key="2:k2-secret")
    with pytest.raises(crypto.KeyMissing, match="version 1"):
        crypto.decrypt(old)


def test_key_list_parsing():
    assert crypto.parse_keys("abc") == {1: "abc"}
    assert crypto.parse_keys("3:c\n2:b, 1:a") == {3: "c", 2: "b", 1: "a"}
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keys("1:a,1:b")
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keys("  ")


def test_unknown_suite_refused(suite):
    suite("des")
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


@pytest.mark.parametrize("name", ["aes", "sm"])
def test_tampered_or_relabelled_value_refused(suite, name):
    suite(name, key="2:k2-secret,1:k1-secret")
    token = crypto.encrypt("13800138000")
    head, body = token[:6], token[6:]
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(head + base64.b64encode(bytes(raw)).decode())
    # The header is authenticated: claiming another key version fails too.
    with pytest.raises(InvalidTag):
        crypto.decrypt(token.replace(":2:", ":1:", 1))


def test_protected_fields_are_found_in_the_models():
    found = {str(pf): pf.kind for pf in crypto.protected_fields()}
    assert found["core.User.phone_encrypted"] == "phone"
    assert found["people.Resident.id_encrypted"] == "id"
    assert found["people.Resident.phone_encrypted"] == "phone"


def test_missing_sm4_support_is_a_clear_error(suite, monkeypatch):
    from cryptography.exceptions import UnsupportedAlgorithm

    def unsupported(key):
        raise UnsupportedAlgorithm("SM4 not offered by this OpenSSL")

    suite("sm", key="a-key-no-other-test-uses")
    monkeypatch.setattr(crypto.algorithms, "SM4", unsupported)
    with pytest.raises(ImproperlyConfigured, match="GONGZHI_CRYPTO=sm needs SM4-GCM"):
        crypto.encrypt("13800138000")
