"""Signal receivers of the people registry, connected in PeopleConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from gongzhi.core.models import User


@receiver(user_logged_in, dispatch_uid="gongzhi.people.receivers.link_login")
def _link_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """A login is linked to the registry record with its phone when it logs in (the write
    that `selectors.resident_of` does not do: it only finds the record)."""
    from gongzhi.people import services

    services.link_login(actor=user)
