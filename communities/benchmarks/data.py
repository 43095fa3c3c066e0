"""Large communities and threads built quickly, for the benchmark and the query-count tests.

Threads are added to the page tree directly (no revision history) and replies in bulk; both are
otherwise exactly what members create.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from communities.markdown import render_markdown
from communities.models import CommunityPage, Post, ThreadPage

REPLY = (
    "We tried this in **2024**: a pilot on three rounds, then borough-wide.\n\n"
    "- cost per household fell by 8%\n- complaints stayed flat\n\n> Ask the crews first.\n\n"
    "See [the report](https://example.org/report)."
)


@transaction.atomic
def add_threads(
    community: CommunityPage, author, count: int, prefix: str = "Question"
) -> list[ThreadPage]:
    start = timezone.now() - timedelta(days=count)
    threads = []
    for number in range(count):
        thread = ThreadPage(
            title=f"{prefix} {number + 1} about service costs",
            body=REPLY,
            author=author,
            last_activity_at=start + timedelta(days=number),
            slug=f"{prefix.lower()}-{number + 1}",
        )
        community.add_child(instance=thread)
        threads.append(thread)
    return threads


@transaction.atomic
def add_replies(thread: ThreadPage, authors: list, count: int) -> None:
    latest = thread.posts.aggregate(latest=Max("created_at"))[
        "latest"
    ] or timezone.now() - timedelta(days=1)
    html = render_markdown(REPLY)
    Post.objects.bulk_create(
        Post(
            thread=thread,
            author=authors[n % len(authors)],
            body=REPLY,
            body_html=html,
            created_at=latest + timedelta(seconds=n + 1),
        )
        for n in range(count)
    )
    ThreadPage.objects.filter(pk=thread.pk).update(
        reply_count=thread.posts.count(), last_activity_at=timezone.now()
    )
