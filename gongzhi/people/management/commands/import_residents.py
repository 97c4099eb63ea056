"""`python manage.py import_residents FILE --community CODE [--mode all|valid] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.people import imports
from gongzhi.people.models import ImportBatch
from gongzhi.places.models import Place, PlaceKind

MODES = {"all": ImportBatch.Mode.ALL_OR_NOTHING, "valid": ImportBatch.Mode.VALID_ONLY}


class Command(BaseCommand):
    help = (
        "Import residents from an .xlsx or .csv file in the template's format into one "
        "community: the same checks as the import page. --mode all writes nothing if any "
        "row has an error; --mode valid writes the valid rows. --dry-run only checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--community",
            required=True,
            help="the community's 12-digit statistical code, or its path",
        )
        parser.add_argument("--mode", choices=sorted(MODES), default="all")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file, community, mode, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        place = (
            Place.objects.filter(kind=PlaceKind.COMMUNITY)
            .filter(Q(official_code=community) | Q(path=community))
            .first()
        )
        if place is None:
            raise CommandError(_("No community with the code %(code)s.") % {"code": community})
        try:
            imports.check_size(path.stat().st_size)
            result, batch = imports.import_file(
                place,
                path.name,
                path.read_bytes(),
                MODES[mode],
                reason="manage.py import_residents",
                dry_run=dry_run,
            )
        except imports.ImportFileError as error:
            raise CommandError(error.message) from error
        except imports.ImportRefused as refusal:
            if refusal.result is not None:
                self._report(refusal.result)
            raise CommandError(refusal.message) from refusal
        self._report(result)
        if batch is None:
            self.stdout.write(_("Dry run: nothing written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Created %(created)s, updated %(updated)s, unchanged %(unchanged)s.")
                    % {
                        "created": batch.created_count,
                        "updated": batch.updated_count,
                        "unchanged": batch.unchanged_count,
                    }
                )
            )

    def _report(self, result: imports.CheckResult) -> None:
        self.stdout.write(
            _("%(total)s rows: %(valid)s valid, %(errors)s with errors, %(new)s new.")
            % {
                "total": result.total,
                "valid": result.total - result.errors,
                "errors": result.errors,
                "new": result.new,
            }
        )
        for row in result.invalid:
            for msgid, params in row.errors:
                self.stdout.write(
                    _("row %(row)s: %(message)s")
                    % {"row": row.line, "message": imports.render(msgid, params)}
                )
