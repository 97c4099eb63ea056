"""Demo tickets: the builder, put together from its parts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.demo.tickets.run import _Run
from gongzhi.demo.tickets.setup import _Setup
from gongzhi.demo.tickets.ticket import _OneTicket
from gongzhi.demo.tickets.writing import _Writing
from gongzhi.tickets.models import HandlerKind


class _Builder(_Setup, _Run, _OneTicket, _Writing):
    def __init__(self, scale, using: str, progress, per_household_year: float | None):
        self.scale = scale
        self.db = using
        self.progress = progress or (lambda message: None)
        self.full_history = scale.name != "district"
        self.rate = per_household_year
        self.now = clock.now()
        self.today = clock.today()
        self.counters: dict[dt.date, int] = {}
        self.counts = defaultdict(int)
        self.tickets: list[list] = []
        self.events: list[tuple] = []
        with translation.override(settings.LANGUAGE_CODE):
            self.sweep_note = _("Deadline passed.")
            self.unrated_note = _("Not rated in time.")
            self.no_property_note = _("No %(kind)s covers this place; routed to the community.") % {
                "kind": HandlerKind.PROPERTY_COMPANY.label
            }
