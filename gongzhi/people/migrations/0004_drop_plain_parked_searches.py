"""Sessions written before searches were sealed may hold a whole phone or ID number in plain
text under "people_search" (signed, not encrypted). Such sessions are ended: their rows go, and
with them the numbers, from the database and from every later backup. Those users log in again."""

from django.db import migrations

KEY = "people_search"


def drop(apps, schema_editor):
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    doomed = []
    for pk, data in Session.objects.values_list("pk", "session_data").iterator():
        if KEY in store.decode(data):
            doomed.append(pk)
    for start in range(0, len(doomed), 500):
        Session.objects.filter(pk__in=doomed[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_resident_user"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
