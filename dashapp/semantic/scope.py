"""The user's scope as the set of region codes they may see, sub-regions included.

Deny by default: no user, no role or an empty scope is the empty set, which queries turn
into ``WHERE false``. ``*`` (all) is every region in the store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import select

from pilotage.store.engine import get_engine
from pilotage.store.models import ALL_REGIONS, Region


@dataclass(frozen=True)
class RegionTree:
    parent: dict[str, str | None]
    children: dict[str, tuple[str, ...]]
    names: dict[str, str]
    levels: dict[str, str]

    def with_descendants(self, codes) -> frozenset[str]:
        seen: set[str] = set()
        stack = [c for c in codes if c in self.parent]
        while stack:
            code = stack.pop()
            if code not in seen:
                seen.add(code)
                stack.extend(self.children.get(code, ()))
        return frozenset(seen)


def region_tree() -> RegionTree:
    """Read once per request (regions only change with a load)."""
    from flask import g, has_request_context

    if has_request_context() and "region_tree" in g:
        return g.region_tree
    tree = _read_region_tree()
    if has_request_context():
        g.region_tree = tree
    return tree


def _read_region_tree() -> RegionTree:
    with get_engine().connect() as conn:
        rows = conn.execute(select(Region.code, Region.parent_code, Region.name, Region.level)).all()
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent, _, _ in rows:
        if parent:
            children[parent].append(code)
    return RegionTree(parent={r[0]: r[1] for r in rows}, children={k: tuple(v) for k, v in children.items()},
                      names={r[0]: r[2] for r in rows}, levels={r[0]: r[3] for r in rows})


def allowed_regions(user=None) -> frozenset[str]:
    """Every region code the user may see; empty when they may see nothing."""
    user = user if user is not None else current_user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "role", None):
        return frozenset()
    tree = region_tree()
    if ALL_REGIONS in user.scope:
        return frozenset(tree.parent)
    return tree.with_descendants(user.scope)


def scope_key(user=None) -> str:
    """What a cache key must hold about the user: the regions they see (not who they are,
    so that two directors of the same region share cache entries)."""
    return ",".join(sorted(allowed_regions(user))) or "-"


def outside_scope(requested, user=None) -> tuple[str, ...]:
    """The region codes asked for (a shared link, a forged input) that the user may not see, so that the
    page can say so instead of silently showing the whole scope. The queries never read them anyway
    (:func:`allowed_regions` narrows every filter); this only names them."""
    if isinstance(requested, str):
        requested = requested.split(",")
    if not isinstance(requested, (list, tuple)):
        return ()
    allowed = allowed_regions(user)
    codes = [str(c).strip() for c in requested[:50] if isinstance(c, (str, int))]
    return tuple(dict.fromkeys(c[:32] for c in codes if c and c not in allowed))
