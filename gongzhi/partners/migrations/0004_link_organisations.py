"""Partner units of kind social organisation are linked to the register where their name
matches exactly one organisation of their street or community (or, for a street's unit, one of
its communities) — gongzhi/organisations/linking.py; the name is kept (docs/partners.md)."""

from django.db import migrations

from gongzhi.organisations.linking import link_by_name


def link(apps, schema_editor):
    PartnerUnit = apps.get_model("partners", "PartnerUnit")
    Organisation = apps.get_model("organisations", "Organisation")
    rows = PartnerUnit.objects.filter(kind="social_org", organisation__isnull=True).values_list(
        "pk", "name", "place_path"
    )
    for pk, org in link_by_name(Organisation, rows).items():
        PartnerUnit.objects.filter(pk=pk).update(organisation_id=org)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_partnerunit_organisation"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
