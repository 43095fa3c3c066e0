"""The permission matrix: every actor × visibility × surface, each with its expected outcome.

The expected outcome of a cell is derived from the three rules (and only from them):

- see a community: open/restricted → everyone; private → active members and site staff; else 404;
- read its content: open → everyone; restricted/private → active members and site staff;
  a restricted non-member gets 403 (with how to join), private → 404;
- post/reply: active members only (not pending, invited, banned or left);
- flag a reply or an opening post: signed-in readers who are not banned; the moderation queue, where
  flagged posts are shown: the community's facilitators and owners, and site staff;
- a discussion about a figure on the area and measure pages: whoever may read it; asking about a
  figure: the figure is public, the community is offered to (and accepted from) those who may post.
"""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from communities.discussions.services.moderation import do_flag_thread
from communities.discussions.services.notifications import (
    do_reset_feed_token,
    do_send_digests,
    do_set_email_frequency,
)
from communities.discussions.services.threads import check_figure, do_start_thread
from communities.models import (
    EmailFrequency,
    Flag,
    Membership,
    Post,
    ThreadPage,
    Visibility,
    Watch,
    WatchLevel,
)
from communities.people.services.tokens import do_create_token
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)
from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "non_member",
    "pending",
    "invited",
    "member",
    "facilitator",
    "owner",
    "banned",
    "staff",
]
VISIBILITIES = [Visibility.OPEN, Visibility.RESTRICTED, Visibility.PRIVATE]
SURFACES = [
    "community_page",
    "thread_page",
    "post_reply",
    "member_list",
    "feed",
    "api_list",
    "api_detail",
    "notifications",
    "digest_email",
    "flag_reply",
    "flag_opening_post",
    "moderation_queue",
    "figure_panels",
    "ask_about_figure",
]
ACTIVE = {"member", "facilitator", "owner"}


def may_see(actor: str, visibility: str) -> bool:
    return visibility != Visibility.PRIVATE or actor in ACTIVE | {"staff"}


def may_read(actor: str, visibility: str) -> bool:
    return visibility == Visibility.OPEN or actor in ACTIVE | {"staff"}


def may_post(actor: str, visibility: str) -> bool:
    return actor in ACTIVE


def may_flag(actor: str, visibility: str) -> bool:
    return actor not in {"anonymous", "banned"} and may_read(actor, visibility)


def may_moderate(actor: str, visibility: str) -> bool:
    return actor in {"facilitator", "owner", "staff"}


def content_status(actor: str, visibility: str) -> int:
    if may_read(actor, visibility):
        return 200
    return 403 if may_see(actor, visibility) else 404


def cells():
    for surface in SURFACES:
        for visibility in VISIBILITIES:
            for actor in ACTORS:
                yield pytest.param(actor, visibility, surface, id=f"{surface}-{visibility}-{actor}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One community of each visibility with a thread, and one person per actor with the matching
    membership in each; built once for the module (cells that write roll back) and flushed after."""
    from django.core.management import call_command

    from hub.services.site import ensure_site_tree

    with django_db_blocker.unblock():
        ensure_site_tree()
        people = {
            actor: UserFactory(is_staff=(actor == "staff"))
            for actor in ACTORS
            if actor != "anonymous"
        }
        people["anonymous"] = None
        places = {}
        for visibility in VISIBILITIES:
            founder = UserFactory()
            community = CommunityFactory(
                title=f"Matrix {visibility}", visibility=visibility, owner=founder
            )
            thread = ThreadFactory(
                community=community, title=f"Secret budget question ({visibility})"
            )
            PostFactory(thread=thread, author=founder, body="Our secret reply about budgets.")
            do_flag_thread(thread, by=founder, reason="off_topic", detail="Flagged for the matrix")
            for actor, status in {
                "pending": "pending",
                "invited": "invited",
                "banned": "banned",
            }.items():
                MembershipFactory(community=community, user=people[actor], status=status)
            for actor in ACTIVE:
                role = actor if actor != "member" else "member"
                MembershipFactory(community=community, user=people[actor], role=role)
            places[visibility] = (community, thread)
        yield people, places
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize(("actor", "visibility", "surface"), list(cells()))
def test_permission_matrix(client, world, db, actor, visibility, surface, request):
    people, places = world
    community, thread = places[visibility]
    user = people[actor]
    if user is not None:
        client.force_login(user)
    see, read, status = (
        may_see(actor, visibility),
        may_read(actor, visibility),
        content_status(actor, visibility),
    )
    title = thread.title

    if surface == "community_page":
        assert client.get(community.url).status_code == (200 if see else 404)

    elif surface == "thread_page":
        response = client.get(thread.url)
        assert response.status_code == status
        assert (title in response.content.decode()) == read
        assert ("We are reviewing our approach" in response.content.decode()) == read

    elif surface == "post_reply":
        response = client.post(
            reverse("reply", args=[thread.pk]),
            {"body": "My reply", "idempotency_key": str(uuid.uuid4())},
        )
        if may_post(actor, visibility):
            assert response.status_code == 302
        else:
            assert response.status_code == (404 if not see else 403)
        assert Post.objects.filter(thread=thread, body="My reply").exists() == may_post(
            actor, visibility
        )

    elif surface == "member_list":
        response = client.get(f"/communities/{community.slug}/members/")
        assert response.status_code == status

    elif surface == "feed":
        client.logout()  # feeds are read with the member's secret link, never a session
        if user is None:
            url = reverse("community-feed-rss", args=[community.slug])
        else:
            url = reverse(
                "private-community-feed-rss",
                args=[do_reset_feed_token(user), community.slug],
            )
        response = client.get(url)
        assert response.status_code == status
        assert (title in response.content.decode()) == read

    elif surface in {"api_list", "api_detail"}:
        client.logout()  # the API is called with the member's personal token
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Bearer {do_create_token(user, 'matrix')[1]}"
        if surface == "api_list":
            listing = client.get("/api/communities/", headers=headers)
            assert listing.status_code == 200
            slugs = [c["slug"] for c in listing.json()["items"]]
            assert (community.slug in slugs) == see
            response = client.get(f"/api/communities/{community.slug}/threads", headers=headers)
            assert response.status_code == status
            if status == 200:
                assert [t["id"] for t in response.json()["items"]] == [thread.pk]
        else:
            response = client.get(f"/api/threads/{thread.pk}", headers=headers)
            assert response.status_code == status
            assert (response.json().get("body") == thread.body) == read

    elif surface == "notifications":
        if user is not None:
            do_set_email_frequency(user, EmailFrequency.OFF)
            Watch.objects.create(user=user, community=community, level=WatchLevel.WATCHING)
        author = Membership.objects.filter(community=community, role="owner").first().user
        do_start_thread(
            community=community,
            author=author,
            title="A new question for watchers",
            body="Any ideas?",
        )
        response = client.get(reverse("notifications"))
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 200
            assert ("A new question for watchers" in response.content.decode()) == read

    elif surface == "digest_email":
        if user is not None:
            do_set_email_frequency(user, EmailFrequency.DAILY)
            Watch.objects.create(user=user, community=community, level=WatchLevel.WATCHING)
        author = Membership.objects.filter(community=community, role="owner").first().user
        do_start_thread(
            community=community,
            author=author,
            title="A new question for the digest",
            body="Any ideas?",
        )
        mail.outbox.clear()
        do_send_digests()
        mine = [m for m in mail.outbox if user is not None and m.to == [user.email]]
        assert any("A new question for the digest" in m.body for m in mine) == (
            user is not None and read
        )
        assert all(title not in m.body or read for m in mine)

    elif surface in {"flag_reply", "flag_opening_post"}:
        if surface == "flag_reply":
            url, target = (
                reverse("flag-post", args=[thread.posts.get().pk]),
                {"post": thread.posts.get()},
            )
        else:
            url, target = reverse("flag-thread", args=[thread.pk]), {"thread": thread}
        response = client.post(url, {"reason": "spam", "detail": "From the matrix"})
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif may_flag(actor, visibility):
            assert response.status_code == 302 and response["Location"].startswith(thread.url)
        else:
            assert response.status_code == (404 if not see else 403)
            assert "Our secret reply" not in response.content.decode()
            assert "We are reviewing our approach" not in response.content.decode()
        assert Flag.objects.filter(
            flagged_by__isnull=False, detail="From the matrix", **target
        ).exists() == (user is not None and may_flag(actor, visibility))

    elif surface == "moderation_queue":
        response = client.get(reverse("moderation-queue", args=[community.slug]))
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif may_moderate(actor, visibility):
            assert response.status_code == 200
            assert (
                "Flagged for the matrix" in response.content.decode()
                and title in response.content.decode()
            )
        else:
            assert response.status_code == (404 if not see else 403)
            assert "Flagged for the matrix" not in response.content.decode()
            assert title not in response.content.decode()

    elif surface == "figure_panels":
        request.getfixturevalue("recycling")  # Leeds's recycling rate, imported through the service
        author = Membership.objects.filter(community=community, role="owner").first().user
        anchored = do_start_thread(
            community=community,
            author=author,
            title=f"A question about the figure ({visibility})",
            body="Why?",
            figure=check_figure("E08000035", "recycling", "2023-24"),
        )
        for url in ("/doc/area/E08000035", "/doc/measure/recycling"):
            response = client.get(url)
            assert response.status_code == 200
            assert (anchored.title in response.content.decode()) == read
            assert (community.title in response.content.decode()) == read

    elif surface == "ask_about_figure":
        request.getfixturevalue("recycling")
        url = reverse("ask-about-figure")
        response = client.get(f"{url}?area=E08000035&measure=recycling&period=2023-24")
        html = response.content.decode()
        assert response.status_code == 200 and "40.1 percent" in html  # the figure is public
        assert ("Sign in to ask about this figure" in html) == (user is None)
        assert (f">{community.title}</option>" in html) == may_post(actor, visibility)
        response = client.post(
            url,
            {
                "area": "E08000035",
                "measure": "recycling",
                "period": "2023-24",
                "community": str(community.pk),
                "title": "A matrix question about the figure",
                "body": "Why is it so?",
                "idempotency_key": str(uuid.uuid4()),
            },
        )
        asked = ThreadPage.objects.filter(
            title="A matrix question about the figure", community=community
        ).first()
        if may_post(actor, visibility):
            assert response.status_code == 302 and response["Location"] == asked.url
            assert asked.figure_area.gss_code == "E08000035"
        else:
            assert asked is None
            assert response.status_code == (403 if user is None else 400)
            assert community.title not in response.content.decode()
            assert "Why is it so?" in response.content.decode()  # the text is kept
