"""Issue, list and revoke Open311 keys (gongzhi/tickets/open311_keys.py, docs/open311.md).

manage.py open311_key issue <username or phone> "<client>"   prints the key, once
manage.py open311_key list [<username or phone>]
manage.py open311_key revoke <prefix>
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core import auth
from gongzhi.core.refusals import text as refusal_text
from gongzhi.tickets import open311_keys
from gongzhi.tickets.models import Open311Key


class Command(BaseCommand):
    help = "Issue, list or revoke the Open311 keys of a person (one per client app)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        issue = sub.add_parser("issue", help="a new key (shown once)")
        issue.add_argument("account", help="username or phone number")
        issue.add_argument("client", help="the client app using the key, e.g. 街道大屏")
        listing = sub.add_parser("list", help="keys, newest first (never the keys themselves)")
        listing.add_argument("account", nargs="?", help="only this person's keys")
        revoke = sub.add_parser("revoke", help="refuse a key from now on")
        revoke.add_argument("prefix", help="the key's first characters, as listed")

    def _user(self, identifier):
        user = auth.find_user(identifier)
        if user is None:
            raise CommandError(_("No account “%(id)s”.") % {"id": identifier})
        return user

    def handle(self, *args, **options):
        command = options["command"]
        if command == "issue":
            user = self._user(options["account"])
            try:
                record, key = open311_keys.issue(user, options["client"])
            except ValidationError as exc:
                raise CommandError(refusal_text(exc)) from None
            self.stdout.write(
                _("Open311 key for %(user)s (%(client)s), shown only now:")
                % {"user": user, "client": record.client}
            )
            self.stdout.write(key)
        elif command == "list":
            keys = Open311Key.objects.select_related("user")
            if options["account"]:
                keys = keys.filter(user=self._user(options["account"]))
            for record in keys:
                state = _("revoked") if record.revoked_at else _("active")
                used = (
                    record.last_used_at.isoformat(timespec="minutes")
                    if record.last_used_at
                    else "-"
                )
                self.stdout.write(
                    f"{record.prefix}\t{record.user}\t{record.client}\t{state}\t{used}"
                )
        else:
            record = Open311Key.objects.filter(prefix=options["prefix"]).first()
            if record is None:
                raise CommandError(_("No Open311 key starts with “%(prefix)s”.") % options)
            open311_keys.revoke(record)
            self.stdout.write(_("Revoked: %(key)s") % {"key": record})
