"""Migration people 0004 ends sessions that parked a plain whole number (earlier versions)."""

import importlib

from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

migration = importlib.import_module("gongzhi.people.migrations.0004_drop_plain_parked_searches")


def test_sessions_with_plain_parked_numbers_are_ended(db):
    leaky = SessionStore()
    leaky["people_search"] = {"abc": "13812345678"}
    leaky.create()
    clean = SessionStore()
    clean["other"] = 1
    clean.create()
    # session_data is base64: only the decoded data shows the number (and it did, before).
    assert "13812345678" in str(Session.objects.get(session_key=leaky.session_key).get_decoded())
    migration.drop(apps, None)
    keys = set(Session.objects.values_list("session_key", flat=True))
    assert leaky.session_key not in keys and clean.session_key in keys
    assert not any("13812345678" in str(s.get_decoded()) for s in Session.objects.all())
