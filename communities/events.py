"""What changed for readers, announced by the service that changed it.

A service that changes what readers may see (publishing, editing, deleting, hiding, unhiding,
moving, locking a thread, a community's visibility, someone's profile, a case study's
publication) calls ``announce`` inside its transaction. Subscribers register once at start-up
(in their app's ``ready()``): search notes the documents to re-index in its outbox,
notifications tell the people who follow the thread, and the people a workflow's step concerns
(a case study's author and reviewers, a community's facilitators). They run in the announcing transaction, so
what they record commits or rolls back with the change itself, and whatever they send or index
is queued to run after the commit.

Model signal handlers stay only as a backstop for edits made outside the services (Wagtail's
admin, the shell); a service never relies on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the core stays free of Django's models at import time
    from hub.floor.actor import AuthenticatedActor

Kind = Literal["community", "thread", "post", "good_practice", "profile"]
Change = Literal[
    "published",  # new content readers may now see
    "edited",
    "deleted",
    "hidden",
    "unhidden",
    "moved",
    "locked",  # locked, unlocked, pinned, unpinned: how a thread is shown
    "answered",  # an accepted answer chosen or cleared
    "visibility",  # who may see or read a community
    "membership",  # who belongs to a community, or asks to (readers change; documents do not)
    # Steps of the workflows, which tell the people concerned (the documents do not change):
    "submitted",  # a case study sent for review (or sent again after changes)
    "changes_requested",  # a reviewer sent a case study back to its author
    "asked",  # a question asked on a case study
    "flagged",  # a reply or a thread's opening post reported to the facilitators
]


@dataclass(frozen=True)
class ContentChanged:
    """``ids`` of one ``kind`` changed in the way ``change`` says, by ``actor`` (a signed-in person;
    None: the system).
    ``details`` carries what a subscriber needs beyond the ids (the reply chosen as the answer)."""

    kind: Kind
    ids: frozenset[int]
    change: Change
    actor: AuthenticatedActor | None = field(default=None, compare=False, hash=False)
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


Subscriber = Callable[[ContentChanged], None]
_subscribers: dict[str, Subscriber] = {}


def subscribe(name: str, handler: Subscriber) -> None:
    """Call ``handler`` for every announced change; ``name`` makes registering twice harmless."""
    _subscribers[name] = handler


def announce(
    kind: Kind,
    ids: Iterable[int | None],
    change: Change,
    *,
    actor: AuthenticatedActor | None = None,
    **details: Any,
) -> ContentChanged | None:
    """Tell every subscriber that readers may now see something different. Call inside the
    transaction that made the change."""
    wanted = frozenset(int(pk) for pk in ids if pk is not None)
    if not wanted:
        return None
    event = ContentChanged(kind, wanted, change, actor, details)
    for handler in list(_subscribers.values()):
        handler(event)
    return event


_announced_by_service: ContextVar[bool] = ContextVar("announced_by_service", default=False)


@contextmanager
def announced_here() -> Iterator[None]:
    """Mark a block whose changes the calling service announces itself, so that the backstops
    (model and Wagtail signal handlers) stay quiet within it."""
    token = _announced_by_service.set(True)
    try:
        yield
    finally:
        _announced_by_service.reset(token)


def announced_by_a_service() -> bool:
    """Whether a service is announcing the change in progress (``announced_here``)."""
    return _announced_by_service.get()
