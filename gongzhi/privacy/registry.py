"""The registry of "my personal information" (PIPL art. 45), as the privacy app sees it.

The registry itself lives in the kernel (`gongzhi.core.personal_data`) so that each app
registers its own section from its `AppConfig.ready()` without importing privacy, which sits
above the domain apps. This module re-exports it for privacy's services, selectors and tests:

    registry.register("tickets", _("Tickets I submitted"), tickets_of, order=50)

Where each section is registered: docs/privacy.md "Sections".
"""

from __future__ import annotations

from gongzhi.core.personal_data import (
    LAST,
    Person,
    Row,
    Section,
    register,
    sections,
    unregister,
)

__all__ = ["LAST", "Person", "Row", "Section", "register", "sections", "unregister"]
