"""Activities organised by a social organisation typed by name are linked to the register where
the name matches exactly one organisation of the activity's community or its street
(gongzhi/organisations/linking.py); the typed name is kept (docs/volunteering.md)."""

from django.db import migrations

from gongzhi.organisations.linking import link_by_name


def link(apps, schema_editor):
    Activity = apps.get_model("volunteering", "Activity")
    Organisation = apps.get_model("organisations", "Organisation")
    rows = (
        Activity.objects.filter(organiser_kind="social_org", organisation__isnull=True)
        .exclude(organiser_name="")
        .values_list("pk", "organiser_name", "place_path")
    )
    for pk, org in link_by_name(Organisation, rows).items():
        Activity.objects.filter(pk=pk).update(organisation_id=org)


class Migration(migrations.Migration):
    dependencies = [
        ("volunteering", "0003_activity_organisation"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
