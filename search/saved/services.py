"""Saved searches: keeping them (``check_*`` then ``do_*``) and delivering what is new for them.

Delivery makes in-app notifications (``Notification.Kind.SAVED_SEARCH``, naming the thread, reply or
case study, so ``readable_notifications`` checks them again whenever they are shown or emailed);
emails go out through the notifications' own paths, straight away or in the digest, per the
member's email setting. Each item is delivered at most once per saved search
(``SavedSearchDelivery``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from communities.errors import Invalid, NotFound, Refusal
from communities.models import GoodPracticePage, Notification, Post, ThreadPage
from hub.floor.actor import Actor, AuthenticatedActor
from hub.floor.tasks import enqueue_on_commit
from search.client import SEARCH_ERRORS, alias_name, get_client, is_enabled
from search.indexing import do_index_pending
from search.models import SavedSearch, SavedSearchDelivery
from search.queries import FACETS, clean_text, parse_params
from search.saved.matching import DELIVERED_TYPES, Item, items_for, match

Frequency = SavedSearch.Frequency
NAME_LENGTH = 100
HEADLINE_LENGTH = 300
# A daily search is due once this long has passed since its last look (the job runs once a day,
# give or take the queue); a weekly one, once this long.
DUE_AFTER = {Frequency.DAILY: timedelta(hours=20), Frequency.WEEKLY: timedelta(days=6, hours=20)}
NEW_ITEMS_LIMIT = 5_000  # per kind of content, per daily run


class SignInRequired(Refusal):
    """Saved searches belong to a member: sign in first."""

    status = 401


@dataclass
class SavedSearchInput:
    """A saved search's fields as checked; None: leave as it is (an update)."""

    name: str | None = None
    q: str | None = None
    filters: dict[str, list[Any]] | None = None
    frequency: str | None = None


def saved_searches_of(user: Actor) -> QuerySet[SavedSearch]:
    """``user``'s saved searches, by name."""
    if not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user).order_by("name", "pk")


def access_saved_search(user: Actor, pk: int) -> SavedSearch:
    """``user``'s own saved search ``pk``; anyone else's is not found."""
    if not user.is_authenticated:
        raise SignInRequired("Sign in to see your saved searches.")
    found = SavedSearch.objects.filter(pk=pk, user=user).first()
    if found is None:
        raise NotFound("There is no saved search of yours with this number.")
    return found


def search_url(saved: SavedSearch) -> str:
    """The search page with this saved search's parameters (its results now)."""
    pairs = [("q", saved.q)] if saved.q else []
    pairs += [(key, str(v)) for key, values in saved.filters.items() for v in values]
    return reverse("search") + "?" + urlencode(pairs)


def describe(q: str, filters: Mapping[str, list[Any]]) -> str:
    """A readable name for a search (the default name when none is given)."""
    parts = [f"“{q}”"] if q else []
    parts += [f"{key}: {', '.join(str(v) for v in values)}" for key, values in filters.items()]
    return clean_text("Search for " + "; ".join(parts), NAME_LENGTH)


def check_save_search(
    user: Actor,
    data: Mapping[str, Any],
    *,
    saved: SavedSearch | None = None,
) -> SavedSearchInput:
    """The fields of a new saved search (``saved`` None) or of a change to ``saved``, checked.

    ``data`` holds the search's parameters as on /search/ (``q`` and the filters, lists allowed),
    ``name`` and ``frequency``; on a change, only the keys present are changed. Raises ``Invalid``
    with every problem in one message."""
    if not user.is_authenticated:
        raise SignInRequired("Sign in to save searches.")
    problems: list[str] = []
    out = SavedSearchInput()
    creating = saved is None
    search_keys = {"q"} | {facet.param for facet in FACETS}
    if creating or search_keys & set(data):
        raw = {key: data[key] for key in search_keys if key in data and data[key] is not None}
        if not creating:
            if "q" not in raw:
                raw["q"] = saved.q  # type: ignore[union-attr]
            if not (set(raw) - {"q"}):
                raw.update(saved.filters)  # type: ignore[union-attr]
        params = parse_params(raw)
        problems += params.notices  # a value the search would ignore is refused when saving
        if params.is_empty:
            problems.append("Type words to search for, or choose a filter, before saving a search.")
        out.q, out.filters = params.q, params.filters
    if "name" in data and data["name"] is not None or creating:
        name = clean_text(str(data.get("name") or ""), 10_000)
        if len(name) > NAME_LENGTH:
            problems.append(f"Give the saved search a name of at most {NAME_LENGTH} characters.")
        elif not name:
            name = describe(out.q or "", out.filters or {}) if creating else ""
            if not creating:
                problems.append("Give the saved search a name.")
        out.name = name
    if "frequency" in data and data["frequency"] is not None or creating:
        frequency = str(data.get("frequency") or Frequency.DAILY)
        if frequency not in Frequency.values:
            problems.append(
                "Choose how often to hear of new results: immediate (straight away), daily, "
                "weekly or off."
            )
        out.frequency = frequency
    if creating and not problems:
        most = settings.SAVED_SEARCHES_PER_MEMBER
        if saved_searches_of(user).count() >= most:
            problems.append(
                f"You already keep {most} saved searches, the most one member may: delete one "
                "you no longer need first."
            )
    if problems:
        raise Invalid(" ".join(problems))
    return out


def do_save_search(user: AuthenticatedActor, data: SavedSearchInput) -> SavedSearch:
    """Keep a new saved search (checked by ``check_save_search``); it looks only at what is
    published from now on."""
    return SavedSearch.objects.create(
        user=user,
        name=data.name or "",
        q=data.q or "",
        filters=data.filters or {},
        frequency=data.frequency or Frequency.DAILY,
    )


def do_update_saved_search(saved: SavedSearch, data: SavedSearchInput) -> SavedSearch:
    """Change ``saved`` as checked; a new query or frequency looks from now on (never back)."""
    fields = []
    for name in ("name", "q", "filters", "frequency"):
        value = getattr(data, name)
        if value is not None and value != getattr(saved, name):
            setattr(saved, name, value)
            fields.append(name)
    if {"q", "filters", "frequency"} & set(fields):
        saved.last_checked_at = timezone.now()
        fields.append("last_checked_at")
    if fields:
        saved.save(update_fields=fields)
    return saved


def do_delete_saved_search(saved: SavedSearch) -> None:
    saved.delete()


def unsubscribe(user: AuthenticatedActor, rest: str) -> bool:
    """The ``saved-search:<id>`` alert switched off from an email: the search's frequency to off."""
    if not rest.isdecimal() or len(rest) > 18:
        return False
    changed = (
        SavedSearch.objects.filter(pk=int(rest), user=user)
        .exclude(frequency=Frequency.OFF)
        .update(frequency=Frequency.OFF)
    )
    return changed > 0


# -- delivery ----------------------------------------------------------------------------------


def headline(saved_name: str, title: str) -> str:
    text = f"New for your saved search “{saved_name}”: {title}"
    return text if len(text) <= HEADLINE_LENGTH else text[: HEADLINE_LENGTH - 1] + "…"


def _notification(saved: SavedSearch, item: Item) -> Notification:
    obj: Any = item.obj
    where: dict[str, int] = {}
    if item.doc_type == "thread":
        where = {"thread_id": obj.pk}
    elif item.doc_type == "post":
        where = {"thread_id": obj.thread_id, "post_id": obj.pk}
    else:
        where = {"good_practice_id": obj.pk}
    return Notification(
        recipient_id=saved.user_id,
        kind=Notification.Kind.SAVED_SEARCH,
        alert=f"saved-search:{saved.pk}",
        headline=headline(saved.name, item.title),
        **where,
    )


def do_deliver(found: Mapping[int, Sequence[Item]]) -> list[Notification]:
    """Tell each saved search's member of the items found for it that it has not delivered yet
    (never their own), in the app; emails follow after the commit, per their email setting."""
    if not found:
        return []
    with transaction.atomic():
        # locked: two runs delivering to one saved search at once deliver each item once
        searches = SavedSearch.objects.select_for_update().filter(pk__in=list(found))
        live = {s.pk: s for s in searches.exclude(frequency=Frequency.OFF)}
        doc_ids = {item.doc_id for items in found.values() for item in items}
        done = set(
            SavedSearchDelivery.objects.filter(
                saved_search_id__in=list(live), doc_id__in=doc_ids
            ).values_list("saved_search_id", "doc_id")
        )
        deliveries, notifications = [], []
        for sid, items in found.items():
            saved = live.get(sid)
            if saved is None:
                continue
            for item in items:
                if (sid, item.doc_id) in done or item.source.get("owner_id") == saved.user_id:
                    continue
                done.add((sid, item.doc_id))
                deliveries.append(SavedSearchDelivery(saved_search=saved, doc_id=item.doc_id))
                notifications.append(_notification(saved, item))
        SavedSearchDelivery.objects.bulk_create(deliveries)
        created = Notification.objects.bulk_create(notifications)
        ids = [n.pk for n in created]
        if ids:
            enqueue_on_commit("communities.discussions.tasks.send_notification_emails", ids)
    return created


def _index_is_current() -> None:
    """Bring the index up to date before matching new content against it (the indexing task may
    not have run yet); if Elasticsearch fails, matching falls back to the database anyway."""
    if not is_enabled():
        return
    try:
        do_index_pending()
        get_client().indices.refresh(index=alias_name())
    except SEARCH_ERRORS:
        return


def do_match_new_content(kind: str, ids: Iterable[int]) -> int:
    """Deliver newly published content of ``kind`` to the saved searches set to "straight away"
    that find it now; how many notifications were made. Run after the publishing commit."""
    items = items_for(kind, ids)
    if not items:
        return 0
    rows = SavedSearch.objects.filter(frequency=Frequency.IMMEDIATE).values_list(
        "pk", "user_id", "q", "filters"
    )
    if not rows.exists():
        return 0
    _index_is_current()
    return len(do_deliver(match(rows, items)))


def new_items_since(since: datetime, until: datetime) -> list[Item]:
    """Threads, replies and case studies first published in (``since``, ``until``]."""
    window = {"gt": since, "lte": until}
    pks = {
        "thread": ThreadPage.objects.live().filter(
            first_published_at__gt=window["gt"], first_published_at__lte=window["lte"]
        ),
        "post": Post.objects.filter(
            created_at__gt=window["gt"], created_at__lte=window["lte"], is_deleted=False
        ),
        "good_practice": GoodPracticePage.objects.live().filter(
            first_published_at__gt=window["gt"], first_published_at__lte=window["lte"]
        ),
    }
    items: list[Item] = []
    for kind in DELIVERED_TYPES:
        found = pks[kind].order_by("-pk").values_list("pk", flat=True)[:NEW_ITEMS_LIMIT]
        items += items_for(kind, found)
    return items


def do_run_due_saved_searches(now: datetime | None = None) -> int:
    """Deliver what was published since each due daily or weekly search last looked; how many
    notifications were made. Run just before the daily digest, so they go out in it."""
    now = now or timezone.now()
    due = SavedSearch.objects.filter(
        Q(frequency=Frequency.DAILY, last_checked_at__lte=now - DUE_AFTER[Frequency.DAILY])
        | Q(frequency=Frequency.WEEKLY, last_checked_at__lte=now - DUE_AFTER[Frequency.WEEKLY])
    )
    rows = list(due.values_list("pk", "user_id", "q", "filters", "last_checked_at"))
    if not rows:
        return 0
    since = {row[0]: row[4] for row in rows}
    items = new_items_since(min(since.values()), now)
    made = []
    if items:
        _index_is_current()
        made = do_deliver(match([row[:4] for row in rows], items, since))
    SavedSearch.objects.filter(pk__in=list(since)).update(last_checked_at=now)
    return len(made)
