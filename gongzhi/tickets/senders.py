"""Former home of the external notification senders, now in the kernel
(gongzhi.core.notifications). Kept so that a NOTIFY_SENDERS setting naming
`gongzhi.tickets.senders.ConsoleSender` (or SmsSender, MemorySender, FailingSender) still loads.
"""

from __future__ import annotations

from gongzhi.core.notifications import (
    ConsoleSender,
    FailingSender,
    MemorySender,
    Outgoing,
    SmsSender,
    deliver,
    senders,
)

__all__ = [
    "ConsoleSender",
    "FailingSender",
    "MemorySender",
    "Outgoing",
    "SmsSender",
    "deliver",
    "senders",
]
