"""Fill empty msgstr entries of the zh_Hans catalog from i18n/*.json ({"msgid": "中文"}).

Usage: python scripts/i18n_fill.py   (then `make messages` compiles). Prints what is still missing.

A word with two Chinese meanings is translated with a context (`pgettext("mediation case",
"Closed")`); its translations sit in an object keyed `"@context mediation case"`.
"""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "gongzhi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main() -> int:
    table: dict[tuple[str | None, str], str] = {}
    for path in sorted((ROOT / "i18n").glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key.startswith("@context ") and isinstance(value, dict):
                context = key.removeprefix("@context ")
                table.update({(context, msgid): zh for msgid, zh in value.items()})
            else:
                table[(None, key)] = value
    catalog = polib.pofile(str(PO))
    missing = []
    for entry in catalog:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            # msgmerge's guesses from similar strings are not translations: start empty.
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        zh = table.get((entry.msgctxt or None, entry.msgid))
        if entry.msgid_plural:
            if zh and not any(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: zh}
            if not any(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        else:
            if zh and not entry.msgstr:
                entry.msgstr = zh
            if not entry.msgstr:
                missing.append(entry.msgid)
    catalog.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalog.metadata["Language"] = "zh_Hans"
    catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalog.save()
    for msgid in missing:
        print("missing:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
