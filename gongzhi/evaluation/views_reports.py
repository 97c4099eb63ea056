"""Downloads of the yearly report of a published round (issue 21 item 6): a community's or a
street's, as PDF or .xlsx. Gate: EVALUATION_VIEW; the object rules are in the selectors
(`reports.published_round`, `community_report`, `street_report`): an unpublished round, a
community or street outside the viewer's scope are 404.

Downloads are not audited: a report holds no personal data (figures about places, frozen and
published to the same viewers on the round's pages), so recording who downloaded it would
only add noise to the trail.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from gongzhi.core import exports
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.evaluation import reports, reports_pdf


def _download(
    data: bytes, content_type: str, report: reports.CommunityReport | reports.StreetReport, ext: str
) -> HttpResponse:
    ascii_name, readable = reports.filename(report, ext)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(readable, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# What each download builds: (the report's selector, its renderer, its content type).
_KINDS = {
    ("community", "pdf"): (reports.community_report, reports_pdf.community_pdf, "pdf"),
    ("community", "xlsx"): (reports.community_report, reports.community_xlsx, "xlsx"),
    ("street", "pdf"): (reports.street_report, reports_pdf.street_pdf, "pdf"),
    ("street", "xlsx"): (reports.street_report, reports.street_xlsx, "xlsx"),
}
_CONTENT_TYPES = {"pdf": reports_pdf.PDF_CONTENT_TYPE, "xlsx": exports.XLSX_CONTENT_TYPE}


@login_required
@requires(Action.EVALUATION_VIEW)
def download(
    request: AuthenticatedRequest, round_id: int, place_id: int, *, level: str, fmt: str
) -> HttpResponse:
    """A community's or a street's report of a published round, as PDF or .xlsx."""
    select, render, ext = _KINDS[(level, fmt)]
    rnd = reports.published_round(request.user, round_id)
    report = select(request.user, rnd, place_id)
    return _download(render(report), _CONTENT_TYPES[ext], report, ext)
