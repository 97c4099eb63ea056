"""Materialised paths: each place's codes joined by "/", with a trailing "/".

The trailing slash makes a prefix test exact: "…/G07/" is not a prefix of "…/G070/".
`path__under=p` selects p and its whole subtree. On PostgreSQL it is a range with the
pattern operators ~>=~ ~<~ (served by a varchar_pattern_ops index); on SQLite a byte-ordered
range on the ordinary index, because SQLite's LIKE is case-insensitive and skips that index.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Lookup

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

SEPARATOR = "/"
CODE_RE = re.compile(r"^[A-Za-z0-9]{1,20}$")


def join(parent_path: str, code: str) -> str:
    return f"{parent_path}{code}{SEPARATOR}"


def upper_bound(path: str) -> str:
    """The smallest string greater than every string that starts with `path`."""
    return path[:-1] + chr(ord(path[-1]) + 1)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class PathField(models.CharField):
    """A materialised path column; supports the `under` lookup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)


@PathField.register_lookup
class Under(Lookup):
    """`path__under=p`: p itself and everything below. p is a path string or an
    expression (e.g. OuterRef("path")) whose value ends in "/"."""

    lookup_name = "under"
    prepare_rhs = False

    def _literal(self) -> str | None:
        if hasattr(self.rhs, "resolve_expression"):
            return None
        if not isinstance(self.rhs, str) or not self.rhs.endswith(SEPARATOR):
            raise ValueError("`under` needs a path ending in '/'")
        return self.rhs

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        # Generic: a plain LIKE prefix.
        lhs, lhs_params = self.process_lhs(compiler, connection)
        literal = self._literal()
        if literal is not None:
            return f"{lhs} LIKE %s", (*lhs_params, _like_escape(literal) + "%")
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE ({rhs} || %s)", (*lhs_params, *rhs_params, "%")

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        literal = self._literal()
        # The pattern-ops range operators (served by the varchar_pattern_ops index):
        # p <= path < p-with-its-last-"/"-turned-into-"0". Unlike LIKE, no per-row recheck
        # of the pattern, and it works when p comes from a column (a LIKE pattern computed
        # from a column cannot use any index).
        if literal is not None:
            return f"({lhs} ~>=~ %s AND {lhs} ~<~ %s)", (
                *lhs_params,
                literal,
                *lhs_params,
                upper_bound(literal),
            )
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} ~>=~ {rhs} AND {lhs} ~<~ (left({rhs}, -1) || %s))", (
            *lhs_params,
            *rhs_params,
            *lhs_params,
            *rhs_params,
            chr(ord(SEPARATOR) + 1),
        )

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        # SQLite: a byte-ordered range, served by the ordinary index.
        lhs, lhs_params = self.process_lhs(compiler, connection)
        literal = self._literal()
        if literal is not None:
            return f"({lhs} >= %s AND {lhs} < %s)", (
                *lhs_params,
                literal,
                *lhs_params,
                upper_bound(literal),
            )
        rhs, rhs_params = self.process_rhs(compiler, connection)
        upper = f"(substr({rhs}, 1, length({rhs}) - 1) || %s)"
        return f"({lhs} >= {rhs} AND {lhs} < {upper})", (
            *lhs_params,
            *rhs_params,
            *lhs_params,
            *rhs_params,
            *rhs_params,
            chr(ord(SEPARATOR) + 1),
        )
