"""The place tree as the kernel's own pages and services read it (post granting, the audit
filter, the workbench, the profile pages).

`places` sits above `core` in the import graph (its models use core's access, audit and paths),
so core never imports it: PlacesConfig.ready() installs gongzhi.places.selectors here, and core
calls `places.visible_places(...)`, `places.get_place(...)`, `places.Place` through this proxy.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class _Directory:
    _selectors: ModuleType | None = None

    def __getattr__(self, name: str) -> Any:
        if self._selectors is None:
            raise ImproperlyConfigured("gongzhi.places is not installed: no place directory.")
        return getattr(self._selectors, name)


places: Any = _Directory()


def install(selectors: ModuleType) -> None:
    places._selectors = selectors
