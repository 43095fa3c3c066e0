"""The one family of refusals: what a person may not do or see, with the message they should read.

Services and the permission-checked fetchers in ``communities.permissions`` raise these; every
door renders them the same way: pages through ``communities.refusals.render_refusal`` and the
API through the handler registered on it (``communities.refusals.api_refusal``). A ``NotFound``
is a plain 404, so that private content never admits it exists.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A refused action or page; ``status`` is the HTTP status every door answers with."""

    status: int = 403

    def __init__(self, message: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class Invalid(Refusal):
    """Bad input: the form or request needs changing."""

    status = 400


class NotFound(Refusal):
    """Not there, or not for this person to know of (private communities and their content)."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class MembersOnly(Refusal):
    """The person may know the community exists but not read its content: pages show the
    members-only page with the community's join options."""

    def __init__(self, community: Any, page: Any = None) -> None:
        super().__init__("This community's discussions are for its members.")
        self.community = community
        self.page = page or community


class RateLimited(Refusal):
    """Too many posts in a short time: the person waits and sends again."""

    status = 429
