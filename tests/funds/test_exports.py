"""xlsx exports of a fund's entries and of the year's funding lines (issue 16 items 5 and 7):
through the one formula-safe writer (core.exports), scoped like the pages, an anonymous donor
not named."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.funds import services
from tests.funds.conftest import D, donate


def _sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(r) for r in load_workbook(io.BytesIO(response.content)).active.values]


def test_fund_export_writes_a_formula_as_text_and_names_no_anonymous_donor(fw, login):
    donate(fw, 500, donor_name='=HYPERLINK("http://evil.example","点我")')
    donate(fw, 300, donor_name="李秘密", anonymous=True)
    donate(fw, 200, donor_name="", anonymous=True)
    services.grant(
        fw.fund,
        actor=fw.secretary,
        amount_yuan="150",
        on=D(2026, 5, 2),
        purpose="助学金",
        reference="拨-001",
    )
    url = reverse("funds:fund_xlsx", args=[fw.fund.pk])
    rows = _sheet(login(fw.secretary).get(url))
    flat = [str(c) for row in rows for c in row]
    assert len(rows) == 5  # the header and four entries
    assert '\'=HYPERLINK("http://evil.example","点我")' in flat
    assert not any(c.startswith("=") for c in flat)
    assert "李秘密" not in flat
    assert sum("爱心人士" in c for c in flat) == 2
    assert rows[-1][2] == "助学金" and float(rows[-1][3]) == -150.0
    # the page links it
    assert (
        'data-testid="fund-xlsx"'
        in login(fw.secretary).get(reverse("funds:fund", args=[fw.fund.pk])).content.decode()
    )


def test_fund_export_is_scoped(fw, login):
    url = reverse("funds:fund_xlsx", args=[fw.fund.pk])
    assert login(fw.worker_a2).get(url).status_code == 404  # another community's fund
    assert login(fw.grid).get(url).status_code == 403  # no funds.view
    assert login(fw.officer_b).get(url).status_code == 404  # another street
    assert login(fw.officer).get(url).status_code == 200  # the street reads it


def test_lines_export_has_the_years_lines_with_their_sums(fw, login):
    lines = {line.kind: line for line in services.open_lines(fw.a1, 2026, actor=fw.secretary)}
    running = lines["running"]
    services.receive(
        running,
        actor=fw.secretary,
        amount_yuan="1000",
        on=D(2026, 3, 1),
        description="拨付",
        reference="r1",
    )
    services.spend(
        running,
        actor=fw.secretary,
        amount_yuan="400",
        on=D(2026, 3, 2),
        description="=1+1 办公用品",
        reference="p1",
    )
    url = reverse("funds:lines_xlsx") + "?year=2026"
    rows = _sheet(login(fw.secretary).get(url))
    assert len(rows) == 1 + len(lines)
    by_line = {row[2]: row for row in rows[1:]}
    row = by_line[running.get_kind_display()]
    assert row[0] == fw.a1.name and row[1] == 2026
    assert [float(row[5]), float(row[6]), float(row[7])] == [1000.0, 400.0, 600.0]
    assert "001 §15" in row[4]
    # scoped: another street sees none of these lines, a grid worker has no page
    other = _sheet(login(fw.officer_b).get(url))
    assert other == [rows[0]]
    assert login(fw.grid).get(url).status_code == 403
    assert (
        'data-testid="lines-xlsx"'
        in login(fw.secretary).get(reverse("funds:lines") + "?year=2026").content.decode()
    )
