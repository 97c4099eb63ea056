"""Micro-project spending whose typed payee is exactly the name of one social organisation of
the project's community or its street is linked to it (gongzhi/organisations/linking.py); the
typed payee is kept, and payees that are no organisation keep only their text
(docs/microprojects.md)."""

from django.db import migrations

from gongzhi.organisations.linking import link_by_name


def link(apps, schema_editor):
    Spending = apps.get_model("microprojects", "Spending")
    Organisation = apps.get_model("organisations", "Organisation")
    rows = Spending.objects.filter(organisation__isnull=True).values_list(
        "pk", "payee", "project__place_path"
    )
    for pk, org in link_by_name(Organisation, rows).items():
        Spending.objects.filter(pk=pk).update(organisation_id=org)


class Migration(migrations.Migration):
    dependencies = [
        ("microprojects", "0005_spending_organisation"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
