"""The figures by level and as .xlsx (through core.exports) against a hand-made set, and the
party's copy of their personal data (their cases, no other party's details)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import User
from gongzhi.core.personal_data import Person, sections
from gongzhi.mediation import privacy_sections, services, stats
from gongzhi.mediation.models import Level, ReferralKind, Side

from .conftest import open_case, resident

pytestmark = pytest.mark.django_db


def _agree(case, actor):
    services.record_agreement(case, actor=actor, signed_on=clock.today(), terms="条款", text="全文")


@pytest.fixture
def hand_made(mw):
    """June 2026: two agreed at the community (one visited and kept), one no agreement, one
    referred up and agreed at the street, one opened at the street itself and pending."""
    w = mw.worker
    kept = services.start(open_case(mw, title="甲"), actor=w)
    _agree(kept, w)
    services.follow_up(kept, actor=w, visited_on=clock.today())
    _agree(services.start(open_case(mw, title="乙"), actor=w), w)
    failed = services.start(open_case(mw, title="丙"), actor=w)
    services.record_no_agreement(failed, actor=w, referral=ReferralKind.ARBITRATION, note="仲裁")
    up = services.refer_up(services.start(open_case(mw, title="丁"), actor=w), actor=w, note="上交")
    _agree(services.start(up, actor=mw.street), mw.street)
    services.open_case(
        mw.street_committee,
        actor=mw.street,
        source="walk_in",
        title="戊",
        summary="街道受理",
        dispute_type="labour",
    )
    return mw


def test_figures_by_level_for_the_street(hand_made):
    mw = hand_made
    community, street, total = stats.figures(mw.street, 2026, by="level")
    assert (community.committee, street.committee) == (
        str(Level.COMMUNITY.label),
        str(Level.STREET.label),
    )
    # Opened at the community: 4 (3 agreed there or above, 1 no agreement).
    assert (community.opened, community.agreed, community.no_agreement, community.pending) == (
        4,
        3,
        1,
        0,
    )
    assert community.success_rate == Decimal("75.0")
    assert community.community_share == Decimal("50.0")  # 2 of 4 settled at the community
    assert (street.opened, street.pending, street.success_rate) == (1, 1, None)
    assert (total.opened, total.agreed, total.agreements_checked, total.agreements_kept) == (
        5,
        3,
        1,
        1,
    )
    # The community's worker sees only what the community may know of.
    rows = stats.figures(mw.worker, 2026, by="level")
    assert [r.opened for r in rows] == [4, 4]


def test_the_xlsx_export_holds_the_same_rows(hand_made, login):
    mw = hand_made
    page = login(mw.street)
    response = page.get(reverse("mediation:figures_export"), {"year": 2026, "by": "level"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(rows) == 1 + 3  # header, community, street, total
    header, community, street, total = rows
    assert header == [str(label) for _name, label in stats.COLUMNS]
    assert community[:2] == [6, str(Level.COMMUNITY.label)]
    assert community[2:] == [4, 3, 1, 0, 0, 75, 50, 1, 1, 100]
    assert street[2] == 1 and street[7] in ("", None)
    assert total[0] == str(_("Total")) and total[2] == 5
    # No party is named anywhere in the file.
    flat = " ".join(str(c) for r in rows for c in r)
    assert "老党员" not in flat and "甲" not in flat
    # The committee view too, and the page offers the download.
    by_committee = page.get(reverse("mediation:figures_export"), {"year": 2026})
    names = [
        r[1]
        for r in load_workbook(io.BytesIO(by_committee.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert mw.committee.name in names and mw.street_committee.name in names
    body = page.get(reverse("mediation:figures"), {"by": "level"}).content.decode()
    assert 'data-testid="figures-export"' in body


def test_export_and_level_figures_refuse_wrong_roles(hand_made, login):
    mw = hand_made
    url = reverse("mediation:figures_export")
    assert login(mw.resident_user).get(url).status_code == 403
    assert login(mw.outsider_member).get(url).status_code == 403
    api = APIClient()
    api.force_authenticate(mw.resident_user)
    assert api.get("/api/v1/mediation-cases/figures/?by=level").status_code == 403
    api.force_authenticate(mw.street)
    data = api.get("/api/v1/mediation-cases/figures/?year=2026&by=level").json()
    assert data["by"] == "level" and [r["opened"] for r in data["rows"]] == [4, 1, 5]
    assert api.get("/api/v1/mediation-cases/figures/?by=nonsense").json()["by"] == "committee"


# --------------------------------------------------------------------------- personal data


def test_a_party_s_copy_lists_their_cases_and_no_other_party(mw):
    applicant = User.objects.get(pk=mw.resident_user.pk)
    me = resident(mw.homes[0], "申请人王五", user=applicant)
    case = open_case(mw, title="王五诉赵六噪音")
    services.add_party(case, actor=mw.worker, side=Side.APPLICANT, resident=me)
    services.add_party(
        case, actor=mw.worker, side=Side.RESPONDENT, name="赵六", phone="13912345678"
    )
    open_case(mw, title="与我无关")
    rows = privacy_sections.mediation(Person(user=applicant, resident=me))
    assert len(rows) == 1
    (row,) = rows
    values = " ".join(str(v) for v in row.values())
    assert case.number in values
    assert "赵六" not in values and "1391" not in values and "噪音" not in values
    # The outsider's copy: matched on the login's phone (the same blind index).
    outsider = User.objects.create_user(
        username=None, password="x-Gongzhi-1", phone="13912345678", name="赵六"
    )
    (theirs,) = privacy_sections.mediation(Person(user=outsider, resident=None))
    assert case.number in " ".join(str(v) for v in theirs.values())
    assert "王五" not in " ".join(str(v) for v in theirs.values())
    assert "赵六" not in values  # (the outsider's own copy names only their case)
    # A mediator's copy lists the committee served.
    served = privacy_sections.mediation(Person(user=mw.member_user, resident=mw.member))
    assert any(mw.committee.name in str(r.values()) for r in served)
    assert "mediation" in [s.code for s in sections()]
