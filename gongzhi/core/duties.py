"""Separation of duties between the three administrators (GB/T 22239-2019 level 3):

- the system admin runs the installation but reads only the audit records of their own
  actions, and cannot grant, revoke or re-enable security and audit admins (roles.GRANTABLE,
  accounts.reenable_account);
- the security admin grants and revokes the administrator posts and re-enables accounts;
- the audit admin reads the whole audit trail and may change nothing.

The audit pages and the audit API read through `audit_records()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from gongzhi.core import access, audit
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Action, Role

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer


def audit_records(user: Viewer) -> QuerySet[AuditRecord]:
    """The audit records `user` may read (see the module docstring)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return AuditRecord.objects.all()
    grants = access.grants(user, Action.AUDIT_VIEW)
    roles = {g.post.role for g in grants if g.post is not None}
    if Role.AUDIT_ADMIN in roles:
        return AuditRecord.objects.all()
    if Role.SYSTEM_ADMIN not in roles:
        return audit.visible_records(user)
    q = Q(actor_id=user.pk)
    for grant in grants:
        if grant.post is not None and grant.post.role != Role.SYSTEM_ADMIN:
            if grant.everything:
                return AuditRecord.objects.all()
            if grant.path is not None:
                q |= Q(place_path__under=grant.path)
    return AuditRecord.objects.filter(q)
