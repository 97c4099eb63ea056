"""Fill Ticket.phone_tail_index (the ledger's last-four-digits search) for existing tickets:
a keyed blind index of the last four digits of the submitter's phone, decrypted here and
never stored in plain. Anonymous reports and tickets without a submitter phone stay empty."""

from django.db import migrations


def fill(apps, schema_editor):
    from gongzhi.core import crypto

    Ticket = apps.get_model("tickets", "Ticket")
    User = apps.get_model("core", "User")
    submitters = (
        Ticket.objects.filter(anonymous=False, submitter__isnull=False, phone_tail_index="")
        .values_list("submitter_id", flat=True)
        .distinct()
    )
    ids = list(submitters)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for user_id, token in User.objects.filter(pk__in=chunk).exclude(
            phone_encrypted=""
        ).values_list("pk", "phone_encrypted"):
            digits = "".join(c for c in crypto.decrypt(token) if c.isdigit())
            if len(digits) < 4:
                continue
            Ticket.objects.filter(
                submitter_id=user_id, anonymous=False, phone_tail_index=""
            ).update(phone_tail_index=crypto.blind_index("phone_tail", digits[-4:]))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_ledger")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
