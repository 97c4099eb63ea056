"""zh-Hans is the default language, English selectable; the catalog is complete and compiled."""

from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "gongzhi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    catalog = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalog_matches_the_source():
    # Keyed by context too: one English word may have two Chinese ones (pgettext).
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO)) if not e.msgid_plural}
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo")))}
    stale = [m for m, s in source.items() if compiled.get(m) != s]
    assert stale == [], "run: make messages"


def test_default_language_is_chinese(client, db):
    body = client.get("/login/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "登录共治平台" in body


def test_english_is_selectable(client, db):
    res = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert res.status_code == 302
    body = client.get("/login/").content.decode()
    assert 'lang="en"' in body
    assert "Log in to Gongzhi" in body


def test_browser_language_does_not_override_the_default(client, db):
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body


def test_unknown_language_cookie_falls_back_to_chinese(client, db):
    client.cookies["django_language"] = "xx"
    assert 'lang="zh-hans"' in client.get("/login/").content.decode()


def test_every_string_in_the_code_reaches_the_catalog():
    """A string marked through an alias xgettext does not know (`N_ = gettext_noop`) is never
    extracted and stays English: every msgid listed in i18n/*.json that still occurs in the
    code must be in the catalog."""
    import json

    root = Path(settings.BASE_DIR)
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (root / "gongzhi").rglob("*")
        if p.suffix in {".py", ".html"} and "migrations" not in p.parts
    )
    catalog = polib.pofile(str(PO))
    known = {e.msgid for e in catalog} | {e.msgid_plural for e in catalog if e.msgid_plural}
    missing = []
    for path in sorted((root / "i18n").glob("*.json")):
        for msgid in json.loads(path.read_text(encoding="utf-8")):
            if f'"{msgid}"' in source and msgid not in known:
                missing.append(msgid)
    assert missing == []
