"""Annotations: events marked on a date range and a scope (a TV flight, a campaign launch, a price change),
drawn on the time series of the home page, the drill-down and the forecast.

Scope: an annotation names regions (each with its sub-regions) or the whole country (``*``), and optionally
one channel. A user sees the annotations whose regions meet theirs (a national event concerns every
region, so every user sees it); a director of Île-de-France never sees an event marked for Provence only.
A user marks events inside their own scope only (the whole country needs a user who sees all of it), on a
channel of the store.

Writes: directors, planners and admins mark events; the author edits or deletes theirs, an admin any
(that they can see). A forged id of an annotation the user cannot see reads as "not found".

The rendered-view cache (:mod:`dashapp.callbacks.rendered`) keys its entries with :func:`version`, so a new,
changed or deleted annotation shows at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import delete, func, insert, select, update

from pilotage.store.engine import get_engine
from pilotage.store.models import ALL_REGIONS, Annotation, AppUser, Channel

from ..auth import audit
from ..auth.permissions import require_role
from .inputs import clean_text, row_id
from .scope import allowed_regions, region_tree

ANNOTATE_ROLES = ("director", "planner", "admin")
MAX_LABEL = 120
MAX_DAYS = 366 * 3  # an event, not an era
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


class AnnotationError(ValueError):
    """A request the page cannot serve: ``code`` names the translated message (``annotation.error.<code>``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Mark:
    """One annotation as the pages draw and list it."""

    id: int
    label: str
    start: dt.date
    end: dt.date  # inclusive
    regions: tuple[str, ...]  # ("*",) for the whole country
    channel: str | None
    author: str
    editable: bool


def version() -> tuple:
    """What changes whenever an annotation is added, edited or deleted (read once per request): rendered views
    that draw annotations hold it in their cache key."""
    from flask import g, has_request_context

    if has_request_context() and "annotations_version" in g:
        return g.annotations_version
    with get_engine().connect() as conn:
        row = conn.execute(select(func.count(), func.max(Annotation.id), func.max(Annotation.updated_at))
                           .select_from(Annotation)).one()
    value = (int(row[0]), row[1], str(row[2]))
    if has_request_context():
        g.annotations_version = value
    return value


def _covered(codes: tuple[str, ...]) -> frozenset[str]:
    tree = region_tree()
    return frozenset(tree.parent) if ALL_REGIONS in codes else tree.with_descendants(codes)


def _may_edit(author_id: int | None) -> bool:
    return getattr(current_user, "role", None) == "admin" or (
        author_id is not None and author_id == int(current_user.id))


def _rows() -> list:
    author = AppUser.__table__.alias("author")
    statement = (select(Annotation.id, Annotation.label, Annotation.start_date, Annotation.end_date, Annotation.regions,
                        Annotation.channel_code, Annotation.author_id, author.c.name, author.c.email)
                 .outerjoin(author, author.c.id == Annotation.author_id)
                 .order_by(Annotation.start_date, Annotation.id))
    with get_engine().connect() as conn:
        return conn.execute(statement).all()


def visible(regions=(), channels=(), start: dt.date | None = None, end: dt.date | None = None) -> list[Mark]:
    """The annotations the user may see, earliest first. ``regions`` and ``channels`` (a page's filters, already
    inside the user's scope) keep those that concern them: regions that meet the filter's, and no channel or
    one of the filter's; ``start`` / ``end`` keep those that overlap the window."""
    allowed = allowed_regions()
    if not allowed:
        return []
    wanted = _covered(tuple(regions)) & allowed if regions else allowed
    out = []
    for row in _rows():
        codes = tuple(c for c in row.regions.split(",") if c)
        if not (_covered(codes) & wanted):
            continue
        if channels and row.channel_code and row.channel_code not in channels:
            continue
        if (start is not None and row.end_date < start) or (end is not None and row.start_date > end):
            continue
        out.append(Mark(row.id, row.label, row.start_date, row.end_date, codes, row.channel_code,
                        row.name or row.email or "", _may_edit(row.author_id)))
    return out


def _label(value) -> str:
    label = clean_text(value, MAX_LABEL)
    if label is None:
        raise AnnotationError("label")
    return label


def _date(value) -> dt.date:
    if not isinstance(value, str):
        raise AnnotationError("dates")
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        raise AnnotationError("dates") from None
    if not EARLIEST <= day <= LATEST:
        raise AnnotationError("dates")
    return day


def _scope_text(regions) -> str:
    """The regions to store: the user's own (``*`` when they see everything) when none is given; else each
    code must be inside the user's scope."""
    allowed = allowed_regions()
    if not allowed:
        raise AnnotationError("regions")
    if regions in (None, "", []):
        scope = tuple(getattr(current_user, "scope", ()) or ())
        return ALL_REGIONS if ALL_REGIONS in scope else ",".join(sorted(scope))
    if not isinstance(regions, list) or not all(isinstance(code, str) for code in regions) or len(regions) > 50:
        raise AnnotationError("regions")
    codes = sorted(set(regions))
    if ALL_REGIONS in codes:
        if allowed != frozenset(region_tree().parent):
            raise AnnotationError("regions")
        return ALL_REGIONS
    if not set(codes) <= allowed:
        raise AnnotationError("regions")
    return ",".join(codes)


def _channel(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise AnnotationError("channel")
    with get_engine().connect() as conn:
        if conn.execute(select(Channel.code).where(Channel.code == value)).scalar() is None:
            raise AnnotationError("channel")
    return value


def _editable(annotation_id) -> Mark:
    """The annotation the user may see and change, else ``not_found`` (unseen or forged) / ``not_yours``."""
    number = row_id(annotation_id)
    mark = next((m for m in visible() if m.id == number), None) if number is not None else None
    if mark is None:
        raise AnnotationError("not_found")
    if not mark.editable:
        raise AnnotationError("not_yours")
    return mark


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def save(label, start, end, regions=None, channel=None, annotation_id=None) -> int:
    """Create an annotation, or change one the user may edit (``annotation_id``); returns its id."""
    require_role(*ANNOTATE_ROLES)
    values = {"label": _label(label), "start_date": _date(start), "end_date": _date(end),
              "regions": _scope_text(regions), "channel_code": _channel(channel), "updated_at": _now()}
    if values["end_date"] < values["start_date"]:
        raise AnnotationError("dates")
    if (values["end_date"] - values["start_date"]).days > MAX_DAYS:
        raise AnnotationError("dates")
    with get_engine().begin() as conn:
        if annotation_id in (None, ""):
            number = conn.execute(insert(Annotation).values(
                author_id=int(current_user.id), created_at=values["updated_at"], **values)
                .returning(Annotation.id)).scalar_one()
            action = "created"
        else:
            number = _editable(annotation_id).id
            conn.execute(update(Annotation).where(Annotation.id == number).values(**values))
            action = "changed"
    audit.record("annotation", current_user.email, {"action": action, "id": number, "label": values["label"],
                                                    "regions": values["regions"]})
    return int(number)


def remove(annotation_id) -> str:
    """Delete an annotation the user may edit; returns its label."""
    require_role(*ANNOTATE_ROLES)
    mark = _editable(annotation_id)
    with get_engine().begin() as conn:
        conn.execute(delete(Annotation).where(Annotation.id == mark.id))
    audit.record("annotation", current_user.email, {"action": "deleted", "id": mark.id, "label": mark.label})
    return mark.label
