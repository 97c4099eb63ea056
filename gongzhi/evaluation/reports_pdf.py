"""The yearly report as a PDF (WeasyPrint): A4, Chinese text in an embedded CJK font, a running
header with the place's name, the round and the period, page numbers.

Everything is inline (the CSS is in the template, no image): the URL fetcher refuses every URL,
so rendering never touches the network or the file system whatever a name or reason contains.
Rendering is synchronous: one community's report takes well under a second (measured in
docs/evaluation.md, "年度报告").
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

from gongzhi.evaluation.reports import CommunityReport, StreetReport, title

PDF_CONTENT_TYPE = "application/pdf"
# WeasyPrint logs each rendering step at INFO ("Step 1 - Fetching and parsing HTML", …): eight
# lines per report in the production log at its INFO level. Its warnings still come through.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
# Debian's fonts-noto-cjk (scripts/setup-system.sh); the fallbacks are for other systems.
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei"'


def no_fetching() -> Any:
    """A URL fetcher that refuses every URL: a report is self-contained.

    WeasyPrint is imported here, not with the URLs: it takes a second to import (it parses its
    own stylesheets, logging each step), which every process and every command would pay."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"a report fetches nothing: {url[:80]}")

    return NoFetching()


def _render(template: str, report: CommunityReport | StreetReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        template, {"report": report, "title": title(report), "font_family": FONT_FAMILY}
    )
    pdf = HTML(string=html, base_url=None, url_fetcher=no_fetching()).write_pdf()
    assert pdf is not None  # write_pdf() without a target returns the bytes
    return bytes(pdf)


def community_pdf(report: CommunityReport) -> bytes:
    return _render("evaluation/report_community.html", report)


def street_pdf(report: StreetReport) -> bytes:
    return _render("evaluation/report_street.html", report)
