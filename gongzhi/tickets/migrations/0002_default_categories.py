"""A default category tree so that a new installation can take requests at once. Operators
rename, add or deactivate categories afterwards; reversing removes only unused defaults."""

from django.db import migrations

# (code, name, routing, default priority, children)
DEFAULTS = [
    (
        "municipal",
        "市政设施",
        "grid",
        "normal",
        [
            ("streetlight", "路灯照明", "grid", "normal"),
            ("road", "道路破损", "grid", "normal"),
            ("drainage", "排水井盖", "grid", "high"),
        ],
    ),
    (
        "environment",
        "环境卫生",
        "grid",
        "normal",
        [
            ("garbage", "垃圾清运", "grid", "normal"),
            ("greening", "绿化养护", "grid", "low"),
        ],
    ),
    (
        "property",
        "物业服务",
        "property_company",
        "normal",
        [
            ("lift", "电梯故障", "property_company", "high"),
            ("leak", "房屋漏水", "property_company", "normal"),
            ("parking", "停车管理", "property_company", "low"),
        ],
    ),
    (
        "neighbour",
        "邻里纠纷",
        "community",
        "normal",
        [
            ("noise", "噪音扰民", "grid", "normal"),
            ("dispute", "邻里矛盾调解", "community", "normal"),
        ],
    ),
    (
        "safety",
        "治安消防",
        "grid",
        "high",
        [
            ("fire_passage", "消防通道堵塞", "grid", "high"),
            ("hazard", "安全隐患", "grid", "urgent"),
        ],
    ),
    (
        "welfare",
        "民生服务",
        "community",
        "normal",
        [
            ("elderly", "养老服务", "community", "normal"),
            ("assistance", "困难救助", "community", "high"),
            ("certificate", "证明办理咨询", "community", "low"),
        ],
    ),
    ("other", "其他", "grid", "normal", []),
]


def create(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    for sort, (code, name, routing, priority, children) in enumerate(DEFAULTS):
        parent, _ = Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "routing": routing, "default_priority": priority, "sort": sort},
        )
        for child_sort, (c_code, c_name, c_routing, c_priority) in enumerate(children):
            Category.objects.get_or_create(
                code=c_code,
                defaults={
                    "name": c_name,
                    "parent": parent,
                    "routing": c_routing,
                    "default_priority": c_priority,
                    "sort": child_sort,
                },
            )


def remove_unused(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    codes = [c for d in DEFAULTS for c in [d[0], *(child[0] for child in d[4])]]
    unused = Category.objects.filter(code__in=codes, tickets__isnull=True, children__isnull=True)
    unused.delete()
    Category.objects.filter(code__in=codes, tickets__isnull=True, children__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_tickets_events_notifications")]
    operations = [migrations.RunPython(create, remove_unused)]
