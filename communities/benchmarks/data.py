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


# -- Whole-site scale: members, communities, threads, posts and case studies in bulk ----------------
#
# Pages are inserted as rows (Wagtail's page row, then the page type's own row) with paths computed
# the way treebeard computes them, a batch at a time: adding 130,000 pages one by one would take
# hours. Everything else goes through ``bulk_create``. The rows are what members would create, minus
# revision history and search indexing (rebuild the index afterwards).

BATCH = 2000


def _insert_pages(parent, pages: list, model) -> list:
    """Append ``pages`` (unsaved instances of ``model``, slug and title set) under ``parent``."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    parent = Page.objects.get(pk=parent.pk)
    last = parent.get_last_child()
    step = last._get_lastpos_in_path() if last else 0
    content_type = ContentType.objects.get_for_model(model)
    locale = Locale.get_default()
    now = timezone.now()
    rows = []
    for page in pages:
        step += 1
        rows.append(
            Page(
                title=page.title,
                draft_title=page.title,
                slug=page.slug,
                path=Page._get_path(parent.path, parent.depth + 1, step),
                depth=parent.depth + 1,
                numchild=0,
                url_path=f"{parent.url_path}{page.slug}/",
                content_type=content_type,
                locale=locale,
                live=True,
                first_published_at=now,
                last_published_at=now,
            )
        )
    own_fields = list(model._meta.local_concrete_fields)
    saved = []
    for start in range(0, len(rows), BATCH):
        chunk = Page.objects.bulk_create(rows[start : start + BATCH])
        typed = pages[start : start + BATCH]
        for row, page in zip(chunk, typed, strict=True):
            for field in Page._meta.concrete_fields:
                setattr(page, field.attname, getattr(row, field.attname))
            page.page_ptr_id = row.pk
        model._base_manager._insert(typed, fields=own_fields, using="default")
        saved.extend(typed)
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + len(rows))
    return saved


def bulk_members(count: int, prefix: str = "member") -> list[int]:
    """``count`` members with profiles (no usable password); returns their ids."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from communities.models import Profile

    User = get_user_model()
    unusable = make_password(None)
    ids: list[int] = []
    for start in range(0, count, BATCH):
        users = User.objects.bulk_create(
            User(
                username=f"{prefix}{n}@bench.example.gov.uk",
                email=f"{prefix}{n}@bench.example.gov.uk",
                first_name="Officer",
                last_name=str(n),
                password=unusable,
            )
            for n in range(start, min(count, start + BATCH))
        )
        Profile.objects.bulk_create(
            Profile(user=user, display_name=f"Officer {user.last_name}", job_title="Service lead")
            for user in users
        )
        ids.extend(user.pk for user in users)
    return ids


def bulk_communities(
    index, count: int, owner_id: int, prefix: str = "bench-community"
) -> list[CommunityPage]:
    """``count`` communities under ``index``: mostly open, some restricted, a few private."""
    from communities.models import Membership, Visibility

    kinds = [Visibility.OPEN] * 7 + [Visibility.RESTRICTED] * 2 + [Visibility.PRIVATE]
    pages = [
        CommunityPage(
            title=f"Community of practice {n + 1}",
            slug=f"{prefix}-{n + 1}",
            description=f"Officers working on service {n + 1}: costs, contracts and what worked.",
            visibility=kinds[n % len(kinds)],
        )
        for n in range(count)
    ]
    communities = _insert_pages(index, pages, CommunityPage)
    Membership.objects.bulk_create(
        (
            Membership(community=c, user_id=owner_id, role=Membership.Role.OWNER)
            for c in communities
        ),
        batch_size=BATCH,
    )
    return communities


def bulk_memberships(communities: list, member_ids: list[int], per_member: int = 3) -> None:
    """Each member joins ``per_member`` communities (spread evenly)."""
    from communities.models import Membership

    def rows():
        for n, user_id in enumerate(member_ids):
            for k in range(per_member):
                community = communities[(n * per_member + k) % len(communities)]
                yield Membership(community=community, user_id=user_id)

    Membership.objects.bulk_create(rows(), batch_size=BATCH, ignore_conflicts=True)


def bulk_threads(community: CommunityPage, author_ids: list[int], count: int) -> list[ThreadPage]:
    """``count`` threads in ``community``, rendered once."""
    html = render_markdown(REPLY)
    start = timezone.now() - timedelta(days=count)
    pages = [
        ThreadPage(
            title=f"Question {n + 1} about service costs in {community.title}",
            slug=f"question-{n + 1}",
            body=REPLY,
            body_html=html,
            author_id=author_ids[n % len(author_ids)],
            community_id=community.pk,
            last_activity_at=start + timedelta(days=n),
        )
        for n in range(count)
    ]
    return _insert_pages(community, pages, ThreadPage)


def bulk_posts(threads: list[ThreadPage], author_ids: list[int], count: int) -> None:
    """``count`` replies spread over ``threads``, with each thread's reply count kept right."""
    html = render_markdown(REPLY)
    start = timezone.now() - timedelta(days=30)
    per_thread: dict[int, int] = {}

    def rows():
        for n in range(count):
            thread = threads[n % len(threads)]
            per_thread[thread.pk] = per_thread.get(thread.pk, 0) + 1
            yield Post(
                thread_id=thread.pk,
                author_id=author_ids[n % len(author_ids)],
                body=REPLY,
                body_html=html,
                created_at=start + timedelta(seconds=n),
            )

    Post.objects.bulk_create(rows(), batch_size=BATCH)
    for thread in threads:
        thread.reply_count = per_thread.get(thread.pk, 0)
    ThreadPage.objects.bulk_update(threads, ["reply_count"], batch_size=BATCH)


def analyze_tables() -> None:
    """Fresh planner statistics for the hub's tables, as autovacuum keeps them on a live site: rows
    just written in bulk would otherwise be planned for as if the tables were still small."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'ANALYZE "{table}"')


def bulk_notifications(recipient_id: int, count: int) -> None:
    """``count`` reply notifications for ``recipient_id`` about the newest replies in the
    communities they belong to, half of them read (more than one page of the list)."""
    from communities.models import Membership, Notification

    communities = Membership.objects.filter(user_id=recipient_id).values("community_id")
    replies = (
        Post.objects.filter(thread__community_id__in=communities)
        .exclude(author_id=recipient_id)
        .order_by("-pk")
        .values_list("pk", "thread_id", "author_id", "created_at")[:count]
    )
    Notification.objects.bulk_create(
        Notification(
            recipient_id=recipient_id,
            kind=Notification.Kind.REPLY,
            actor_id=author_id,
            thread_id=thread_id,
            post_id=post_id,
            created_at=created_at,
            read_at=created_at if n % 2 else None,
        )
        for n, (post_id, thread_id, author_id, created_at) in enumerate(replies)
    )


def bulk_case_studies(library, count: int, prefix: str = "bench-case-study") -> None:
    """``count`` published case studies in ``library``, each in two service areas."""
    import random

    from communities.models import GoodPracticePage, ServiceArea

    rng = random.Random(7)  # noqa: S311 - reproducible test data, not security
    pages = [
        GoodPracticePage(
            title=f"Case study {n + 1}: sharing a service",
            slug=f"{prefix}-{n + 1}",
            summary="What worked when two councils shared one team.",
            problem="Rising costs and a thin team.",
            approach="One team, two councils, a shared contract.",
            outcomes="Costs fell by a tenth within two years.",
        )
        for n in range(count)
    ]
    saved = _insert_pages(library, pages, GoodPracticePage)
    areas = list(ServiceArea.objects.exclude(parent=None))
    through = GoodPracticePage.service_areas.through
    through.objects.bulk_create(
        (
            through(goodpracticepage_id=page.pk, servicearea_id=area.pk)
            for page in saved
            for area in rng.sample(areas, min(2, len(areas)))
        ),
        batch_size=BATCH,
    )
