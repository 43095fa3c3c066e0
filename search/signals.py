"""How the index hears of changes: the communities' announcements, and a backstop of signals.

1. ``index_announced_change`` subscribes to ``communities.events``: every service that changes
   what readers may see (publish, edit, delete, hide, unhide, move, lock, a community's
   visibility, a profile) announces it, and the documents it touches are noted in the outbox in
   that same transaction.
2. ``index_published_data`` listens to linked data's publication (``on_publication``): an import
   of areas or figures records what must be published, and the area and measure documents are
   noted in the same transaction.
3. The model and page signals below are only a backstop for edits made outside the services
   (Wagtail's admin, the shell); the services never rely on them.

Membership changes touch no document: who may read a community is decided at query time from
the communities' rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from communities.events import ContentChanged, subscribe
from communities.models import (
    CommunityPage,
    CommunityTag,
    ExpertiseTag,
    GoodPracticePage,
    GoodPracticeTag,
    Post,
    Profile,
    ThreadPage,
    ThreadTag,
)
from linkeddata.models import Area, Dataset
from linkeddata.services.areas import searchable_areas
from linkeddata.services.publish import on_publication
from search.indexing import record_change
from search.queries import clear_council_names

DOC_TYPE_OF: dict[type[Model], str] = {
    CommunityPage: "community",
    ThreadPage: "thread",
    GoodPracticePage: "good_practice",
    Profile: "profile",
}
TAGGED: dict[type[Model], str] = {
    CommunityTag: "community",
    ThreadTag: "thread",
    GoodPracticeTag: "good_practice",
    ExpertiseTag: "profile",
}


def _content_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    record_change(DOC_TYPE_OF[sender], [instance.pk])


def _post_changed(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    record_change("post", [instance.pk])
    record_change("thread", [instance.thread_id])  # a thread's document includes its replies


def _tag_changed(
    sender: type[Model],
    instance: CommunityTag | ThreadTag | GoodPracticeTag | ExpertiseTag,
    **kwargs: Any,
) -> None:
    record_change(TAGGED[sender], [instance.content_object_id])


def _councils_changed(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and type(instance) in DOC_TYPE_OF:
        record_change(DOC_TYPE_OF[type(instance)], [instance.pk])


def _user_changed(
    sender: type[Model],
    instance: Model,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # signing in changes nothing that is indexed
    record_change(
        "profile", Profile.objects.filter(user_id=instance.pk).values_list("pk", flat=True)
    )


def _page_state_changed(sender: type[Page], instance: Page, **kwargs: Any) -> None:
    """Publishing or unpublishing a page changes its document (a thread's, its replies' too)."""
    page = instance.specific if hasattr(instance, "specific") else instance
    if type(page) in DOC_TYPE_OF:
        record_change(DOC_TYPE_OF[type(page)], [page.pk])
    if isinstance(page, ThreadPage):
        record_change("post", Post.objects.filter(thread=page).values_list("pk", flat=True))


def _page_moved(sender: type[Page], instance: Page, **kwargs: Any) -> None:
    """Moving a page (or renaming its slug) changes the address of everything beneath it."""
    page = instance.specific if hasattr(instance, "specific") else instance
    if type(page) in DOC_TYPE_OF:
        record_change(DOC_TYPE_OF[type(page)], [page.pk])
    threads = list(
        ThreadPage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)
    )
    record_change("thread", threads)
    record_change("post", Post.objects.filter(thread__in=threads).values_list("pk", flat=True))


def index_announced_change(event: ContentChanged) -> None:
    """Note in the outbox every document an announced change touches (inside its transaction)."""
    ids = sorted(event.ids)
    if event.kind == "post":
        record_change("post", ids)
        record_change("thread", Post.objects.filter(pk__in=ids).values_list("thread_id", flat=True))
    elif event.kind == "thread":
        record_change("thread", ids)
        if event.change not in {
            "answered",
            "locked",
        }:  # replies show the thread's title, place and state
            record_change("post", Post.objects.filter(thread__in=ids).values_list("pk", flat=True))
    elif event.kind == "community":
        if event.change == "membership":
            return
        record_change("community", ids)
        if event.change in {"visibility", "moved", "hidden", "unhidden", "deleted"}:
            threads = list(
                ThreadPage.objects.filter(community__in=ids).values_list("pk", flat=True)
            )
            record_change("thread", threads)
            record_change(
                "post", Post.objects.filter(thread__in=threads).values_list("pk", flat=True)
            )
    else:
        record_change(event.kind, ids)


def index_published_data(datasets: list[Dataset], reference: bool) -> None:
    """Note the measures whose figures changed and, with the reference data, every council."""
    record_change("measure", [d.measure_id for d in datasets])
    if reference:
        record_change("area", searchable_areas().values_list("pk", flat=True))


def register_signal_handlers() -> None:
    subscribe("search.index", index_announced_change)
    on_publication("search.index", index_published_data)
    for model in DOC_TYPE_OF:
        post_save.connect(
            _content_changed, sender=model, dispatch_uid=f"search-save-{model.__name__}"
        )
        post_delete.connect(
            _content_changed, sender=model, dispatch_uid=f"search-delete-{model.__name__}"
        )
    post_save.connect(_post_changed, sender=Post, dispatch_uid="search-save-post")
    post_delete.connect(_post_changed, sender=Post, dispatch_uid="search-delete-post")
    for model in TAGGED:
        post_save.connect(
            _tag_changed, sender=model, dispatch_uid=f"search-tag-save-{model.__name__}"
        )
        post_delete.connect(
            _tag_changed, sender=model, dispatch_uid=f"search-tag-delete-{model.__name__}"
        )
    for model in (CommunityPage, GoodPracticePage):
        m2m_changed.connect(
            _councils_changed,
            sender=model.councils.through,
            dispatch_uid=f"search-councils-{model.__name__}",
        )
    post_save.connect(clear_council_names, sender=Area, dispatch_uid="search-council-names-save")
    post_delete.connect(
        clear_council_names, sender=Area, dispatch_uid="search-council-names-delete"
    )
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="search-save-user")
    page_published.connect(_page_state_changed, dispatch_uid="search-page-published")
    page_unpublished.connect(_page_state_changed, dispatch_uid="search-page-unpublished")
    post_page_move.connect(_page_moved, dispatch_uid="search-page-moved")
    page_slug_changed.connect(_page_moved, dispatch_uid="search-page-slug-changed")
