"""The platform's skills vocabulary (技能特长库, seed 002 §三(三)2): communities add their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import migrations

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps

TERMS = [
    "理发",
    "家电维修",
    "水电维修",
    "法律咨询",
    "医疗护理",
    "心理咨询",
    "书画",
    "文艺表演",
    "教育辅导",
    "电脑手机",
    "摄影",
    "厨艺",
    "裁缝",
    "园艺",
    "驾驶",
    "会计财务",
    "外语",
    "调解",
]


def add_terms(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    SkillTerm = apps.get_model("care", "SkillTerm")
    for n, name in enumerate(TERMS):
        SkillTerm.objects.get_or_create(community=None, name=name, defaults={"sort": 10 * (n + 1)})


def remove_terms(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("care", "SkillTerm").objects.filter(community=None, name__in=TERMS).delete()


class Migration(migrations.Migration):
    dependencies = [("care", "0005_talents_opinions")]

    operations = [migrations.RunPython(add_terms, remove_terms)]
