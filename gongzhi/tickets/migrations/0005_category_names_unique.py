"""One name per level of the category tree. Existing duplicates (an installation that added a
second "其他" under the same parent) are renamed "name (2)", "name (3)"… first, so that the
constraints can be created; reversing drops the constraints and keeps the names."""

from django.db import migrations, models


def rename_duplicates(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    seen: set[tuple] = set()
    for category in Category.objects.order_by("parent_id", "name", "id"):
        key = (category.parent_id, category.name)
        if key not in seen:
            seen.add(key)
            continue
        n = 2
        while (category.parent_id, f"{category.name} ({n})") in seen or Category.objects.filter(
            parent_id=category.parent_id, name=f"{category.name} ({n})"
        ).exists():
            n += 1
        category.name = f"{category.name} ({n})"[:60]
        category.save(update_fields=["name"])
        seen.add((category.parent_id, category.name))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_ticket_stats_index")]

    operations = [
        migrations.RunPython(rename_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                condition=models.Q(("parent__isnull", False)),
                fields=("parent", "name"),
                name="ticket_category_name_unique_in_parent",
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                condition=models.Q(("parent__isnull", True)),
                fields=("name",),
                name="ticket_category_root_name_unique",
            ),
        ),
    ]
