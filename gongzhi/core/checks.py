"""System checks for the production shape (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

CONSOLE_SMS = "gongzhi.core.sms.ConsoleBackend"


@register(Tags.security, deploy=True)
def sms_backend_is_real(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Outside the embedded demo, the console SMS backend would send nothing: residents could
    not log in by code and urgent notices would reach no phone."""
    if settings.SMS_BACKEND == CONSOLE_SMS and not (settings.EMBEDDED or settings.GONGZHI_DEMO):
        return [
            Error(
                "SMS_BACKEND is the console backend, which sends nothing.",
                hint="Set SMS_BACKEND to gongzhi.core.sms_providers.AliyunBackend or "
                "TencentBackend and their SMS_* settings (docs/deployment.md 'SMS').",
                id="gongzhi.E001",
            )
        ]
    return []
