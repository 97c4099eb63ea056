"""The yearly letter about an in-service member (在职党员) to their workplace party organisation
(seed 002 §三(一)2: the community feeds its evaluation of in-service members back to their
workplaces; issue 23 item 6).

A PDF built with reportlab and its built-in CID font STSong-Light (no font files): the
community party committee's name as letterhead, the member, the year's organisational-life
attendance, the vanguard index with its parts, the pledge and its review, the date. No ID or
phone number is in it, and the file name carries none (`filename`). Only those who manage the
member's branch or the community's organisational life may have it (`rules.letter_grant`);
each download is an audit record (`partylife.letter`). Re-exported by services.py."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock
from gongzhi.core.models import User
from gongzhi.party.models import PartyMember
from gongzhi.partylife import rules, selectors
from gongzhi.partylife.selectors import LetterData

FONT = "STSong-Light"
MIN_YEAR, MAX_YEAR = 2000, 2100


def filename(member: PartyMember, year: int) -> str:
    """The download's name: the year and the record's number, no name or other personal data."""
    return f"party-letter-{year}-{member.pk}.pdf"


def yearly_letter(member: PartyMember, *, actor: User, year: int) -> bytes:
    """The letter's PDF for `year`; refused for a member who is not in service or whose
    workplace party organisation is not recorded."""
    if isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    community = selectors.served_community(member)
    with transaction.atomic():
        grant = rules.letter_grant(actor, member, community.path if community else "\0")
        if not member.in_service:
            raise ValidationError(
                _(
                    "The yearly letter is written for in-service members, to their workplace "
                    "party organisation."
                )
            )
        with translation.override("zh-hans"):  # the parts' texts are made in Chinese too
            data = selectors.letter_data(member, year, clock.today())
        if not data.workplace_org:
            raise ValidationError(
                _("Record the member's workplace party organisation first; the letter goes to it.")
            )
        with translation.override("zh-hans"):
            pdf = render(data)
        audit.record(
            actor=actor,
            action="partylife.letter",
            target=member,
            place_path=member.place_path,
            post=grant.post,
            changes={"year": year, "to": data.workplace_org},
        )
    return pdf


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render(data: LetterData) -> bytes:
    """The PDF of one letter (A4, one page as a rule)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    head = ParagraphStyle(
        "head",
        parent=body,
        fontSize=18,
        leading=26,
        alignment=TA_CENTER,
        textColor=colors.HexColor("#b00000"),
    )
    title = ParagraphStyle("title", parent=body, fontSize=14, leading=22, alignment=TA_CENTER)
    section = ParagraphStyle("section", parent=body, fontSize=12, leading=20, spaceBefore=6)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT)

    def p(text: object, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def table(rows: list[list[object]], widths: list[float]) -> Table:
        made = Table([[p(c) for c in row] for row in rows], colWidths=widths)
        made.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return made

    story: list[object] = [
        p(data.letterhead, head),
        Spacer(1, 4 * mm),
        p(_("Yearly report on an in-service party member, %(year)s") % {"year": data.year}, title),
        Spacer(1, 6 * mm),
        p(_("To: %(org)s") % {"org": data.workplace_org}),
        p(
            _(
                "Comrade %(name)s (party organisation on the platform: %(org)s; workplace: "
                "%(workplace)s) reported to %(community)s as an in-service party member. "
                "Their participation in %(year)s is as follows."
            )
            % {
                "name": data.member_name,
                "org": data.member_org,
                "workplace": data.workplace or "—",
                "community": data.community or data.letterhead,
                "year": data.year,
            }
        ),
        p(_("1. Organisational life"), section),
        table(
            [
                [
                    _("Meetings held"),
                    _("Present (times)"),
                    _("On leave (times)"),
                    _("Absent (times)"),
                ],
                [
                    data.attended.held,
                    data.attended.present,
                    data.attended.leave,
                    data.attended.absent,
                ],
            ],
            [40 * mm] * 4,
        ),
        p(_("2. Vanguard index"), section),
    ]
    index = data.index
    rows: list[list[object]] = [[_("Part"), _("Figure"), _("Score"), _("Weight")]]
    for part in getattr(index, "components", []):
        rows.append([part.label, _figure(part), part.score, _number(part.weight)])
    rows.append([_("Vanguard index"), "", getattr(index, "value", 0), ""])
    story.append(table(rows, [60 * mm, 40 * mm, 30 * mm, 30 * mm]))
    score = data.score
    if score is not None:
        # The year's score with its parts and grade (gongzhi/partylife/index.py).
        parts: list[list[object]] = [[_("Part"), _("Figure"), _("Score")]]
        for part in score.parts:
            most = f" / {part.most}" if part.most is not None else ""
            sign = "−" if part.name == "deduction" else ""
            parts.append([part.label, part.achieved, f"{sign}{part.points}{most}"])
        parts.append([_("Total"), score.grade_label, score.total])
        story.append(table(parts, [45 * mm, 85 * mm, 30 * mm]))
        for veto in score.vetoes:
            story.append(
                p(
                    _("Vetoed: %(item)s (%(reason)s); the year's score is zero.")
                    % {"item": veto.label, "reason": veto.item.text}
                )
            )
    story.append(p(_("3. Pledge and its review"), section))
    pledge = data.pledge
    if pledge is None:
        story.append(p(_("No pledge was made for this year.")))
    else:
        for i, item in enumerate(pledge.items, start=1):
            story.append(p(f"{i}. {item}"))
        if pledge.reviewed:
            story.append(
                p(
                    _("Review by the branch: %(outcome)s. %(comment)s")
                    % {"outcome": pledge.get_outcome_display(), "comment": pledge.comment}
                )
            )
        else:
            story.append(p(_("The branch has not reviewed the pledge yet.")))
    story += [
        Spacer(1, 12 * mm),
        p(data.letterhead, right),
        p(f"{data.issued_on.year}年{data.issued_on.month}月{data.issued_on.day}日", right),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("Yearly report on an in-service party member, %(year)s") % {"year": data.year},
        author=data.letterhead,
    )
    doc.build(story)
    return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:g}"


def _figure(part: object) -> str:
    raw = getattr(part, "raw", "")
    full = getattr(part, "full", None)
    if full:
        return f"{_number(float(raw))} / {_number(float(full))}"
    return _number(float(raw)) if isinstance(raw, int | float) else str(raw)
