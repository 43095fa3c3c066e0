"""The permission matrix: every actor × visibility × surface, each with its expected outcome.

The expected outcome of a cell is derived from the three rules (and only from them):

- see a community: open/restricted → everyone; private → active members and site staff; else 404;
- read its content: open → everyone; restricted/private → active members and site staff;
  a restricted non-member gets 403 (with how to join), private → 404;
- post/reply: active members only (not pending, invited, banned or left);
- flag a reply or an opening post: signed-in readers who are not banned; the moderation queue, where
  flagged posts are shown: the community's facilitators and owners, and site staff;
- the data pages' panels and the dashboard's "Councils like yours": a community its officers belong
  to is listed to those who may see it (the dashboard lists open ones only); a published case study
  to everyone; a members-only profile to everyone signed in;
- new figures: a data alert reaches every signed-in follower, whatever their communities; a
  community's automatic "New data" thread and its notifications are read like any of its threads;
  its linked measures are chosen by its facilitators and owners, and site staff;
- a discussion about a figure on the area and measure pages: whoever may read it; asking about a
  figure: the figure is public, the community is offered to (and accepted from) those who may post.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse

from communities.alerts import unsubscribe_token
from communities.data_alerts.services import do_follow, do_set_linked_measures, do_tell_release
from communities.discussions.services.moderation import do_flag_thread
from communities.discussions.services.notifications import (
    do_reset_feed_token,
    do_send_digests,
    do_send_notification_emails,
    do_set_email_frequency,
)
from communities.discussions.services.threads import check_figure, do_start_thread
from communities.models import (
    EmailFrequency,
    FiguresRelease,
    Flag,
    Membership,
    Notification,
    Post,
    Profile,
    ProfileVisibility,
    ThreadPage,
    Visibility,
    Watch,
    WatchLevel,
)
from communities.people.services.tokens import do_create_token
from communities.permissions import readable_among, readable_communities
from linkeddata.models import Area, Dataset, SimilarArea
from linkeddata.services.catalogue import do_ensure_dataset
from linkeddata.services.imports import do_import_observations
from tests.factories import (
    AreaFactory,
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)
from tests.linkeddata.conftest import RECYCLING

pytestmark = [pytest.mark.django_db, pytest.mark.long]  # minutes in all: started first

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
    "alert_email",
    "unsubscribe_link",
    "flag_reply",
    "flag_opening_post",
    "moderation_queue",
    "linked_data_document",
    "sparql",
    "area_panel_good_practice",
    "area_panel_communities",
    "area_panel_members",
    "measure_panel_good_practice",
    "dashboard_councils_like_yours",
    "data_alert",
    "data_thread",
    "data_post_notification",
    "linked_measures",
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


def is_public(visibility: str) -> bool:
    """Linked data publishes what an anonymous reader may read, to everyone alike, signed in or not."""
    return may_read("anonymous", visibility)


def content_status(actor: str, visibility: str) -> int:
    if may_read(actor, visibility):
        return 200
    return 403 if may_see(actor, visibility) else 404


def cells():
    for surface in SURFACES:
        for visibility in VISIBILITIES:
            for actor in ACTORS:
                yield pytest.param(actor, visibility, surface, id=f"{surface}-{visibility}-{actor}")


NEW_FIGURES = "gss_code,period,value\nE08000035,2024/25,44.0\nE08000003,2024/25,30.0\n"


@pytest.fixture(scope="module")
def figures(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two councils' recycling rates for 2023/24, imported (and published to a store of the module's)."""
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("matrix-figures")
    with override_settings(RDF_STORE_PATH=folder / "rdf"), django_db_blocker.unblock():
        AreaFactory(code="LDS", gss_code="E08000035", short_name="Leeds", name="Leeds")
        AreaFactory(code="MAN", gss_code="E08000003", short_name="Manchester", name="Manchester")
        first = folder / "first.csv"
        first.write_text("gss_code,period,value\nE08000035,2023/24,40.1\nE08000003,2023/24,45.0\n")
        do_import_observations(first, do_ensure_dataset(RECYCLING))
        yield folder


def import_new_figures(folder) -> None:
    """Import 2024/25 and tell it (the release's task, run here: a cell's commit never comes)."""
    path = folder / "new.csv"
    path.write_text(NEW_FIGURES)
    do_import_observations(path, Dataset.objects.get(slug="recycling"))
    do_tell_release(FiguresRelease.objects.filter(sent_at=None).latest("pk").pk)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, figures):
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
        # A council whose officer belongs to every community and publishes a case study with evidence
        # on a measure, and a council ONS finds similar to it (for "Councils like yours").
        home = AreaFactory(code="MTX", gss_code="E06099001", short_name="Matrixshire")
        neighbour = AreaFactory(code="MTY", gss_code="E06099002", short_name="Neighbourshire")
        SimilarArea.objects.create(area=neighbour, similar=home, similarity_type="global", rank=1)
        matrix_figures = Path(tempfile.mkdtemp()) / "matrix.csv"
        matrix_figures.write_text(
            "gss_code,area_name,period,value,unit\nE06099001,Matrixshire,2023/24,40.0,percent\n"
            "E06099002,Neighbourshire,2023/24,42.0,percent\n",
            encoding="utf-8",
        )
        do_import_observations(matrix_figures, do_ensure_dataset(RECYCLING))
        officer = UserFactory(
            council=home, display_name="Matrix Officer", visibility=ProfileVisibility.MEMBERS
        )
        GoodPracticeFactory(
            title="Matrix case study",
            councils=[home],
            body=[("benchmark_evidence", {"measure": RECYCLING.slug, "area": "E06099001"})],
        )
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
            MembershipFactory(community=community, user=officer)
            places[visibility] = (community, thread)
        yield people, places, figures
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize(("actor", "visibility", "surface"), list(cells()))
def test_permission_matrix(client, settings, world, db, actor, visibility, surface):
    people, places, folder = world
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

    elif surface == "alert_email":
        # an alert naming the thread (a saved search's new result) is emailed to readers only
        if user is not None:
            alert = Notification.objects.create(
                recipient=user,
                kind=Notification.Kind.SAVED_SEARCH,
                thread=thread,
                alert="saved-search:999",
            )
            mail.outbox.clear()
            do_send_notification_emails([alert.pk])
        mine = [m for m in mail.outbox if user is not None and m.to == [user.email]]
        assert any(title in m.subject and title in m.body for m in mine) == (
            user is not None and read
        )

    elif surface == "unsubscribe_link":
        # a link acts for the member it names, whoever follows it: never for the one signed in
        named = UserFactory()
        for person in (named, user):
            if person is not None:
                do_set_email_frequency(person, EmailFrequency.DAILY)
        link = reverse("unsubscribe", args=[unsubscribe_token(named.pk, "digest")])
        tampered = link.replace(":", ":x", 1)
        assert client.post(tampered, {"List-Unsubscribe": "One-Click"}).status_code == 400
        assert client.get(link).status_code == 200
        named.notification_settings.refresh_from_db()
        assert named.notification_settings.email_frequency == EmailFrequency.DAILY
        assert client.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
        named.notification_settings.refresh_from_db()
        assert named.notification_settings.email_frequency == EmailFrequency.OFF
        if user is not None:
            user.notification_settings.refresh_from_db()
            assert user.notification_settings.email_frequency == EmailFrequency.DAILY

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

    elif surface == "linked_data_document":
        for path in [
            f"/doc/community/{community.slug}.ttl",
            f"/doc/thread/{thread.pk}.ttl",
        ]:
            response = client.get(path)
            assert response.status_code == (200 if is_public(visibility) else 404)
            assert (title in response.content.decode()) == (
                is_public(visibility) and "thread" in path
            )
        assert client.get(f"/id/thread/{thread.pk}").status_code == 303

    elif surface == "sparql":
        from linkeddata.services.content import do_publish_content

        do_publish_content()
        settings.SPARQL_TIMEOUT_SECONDS = (
            60  # the shared machine may be slow; what is found matters
        )
        query = (
            "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?s ?title WHERE "
            "{ ?s dcterms:title ?title }"
        )
        response = client.get(
            "/sparql", {"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        assert response.status_code == 200, response.content
        found = {row["title"]["value"] for row in response.json()["results"]["bindings"]}
        assert (title in found) == is_public(visibility)
        assert (community.title in found) == is_public(visibility)
        assert "Our secret reply about budgets." not in response.content.decode()

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

    elif surface.startswith("area_panel_"):
        response = client.get("/doc/area/E06099001")
        assert response.status_code == 200
        html = response.content.decode()
        if surface == "area_panel_good_practice":
            assert "Matrix case study" in html
        elif surface == "area_panel_communities":
            assert (f">{community.title}</a>" in html) == see
        else:
            assert ("Matrix Officer" in html) == (user is not None)
        assert title not in html

    elif surface == "measure_panel_good_practice":
        response = client.get(f"/doc/measure/{RECYCLING.slug}")
        assert response.status_code == 200
        assert "Matrix case study" in response.content.decode()

    elif surface == "dashboard_councils_like_yours":
        if user is not None:
            Profile.objects.filter(user=user).update(council=AreaFactory(code="MTY"))
        response = client.get(reverse("dashboard"))
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            html = response.content.decode()
            assert response.status_code == 200 and "Councils like yours" in html
            assert "Matrix case study" in html
            assert (f">{community.title}</a>: 1 member" in html) == (visibility == Visibility.OPEN)
    elif surface == "data_alert":
        if user is not None:
            do_set_email_frequency(user, EmailFrequency.OFF)
            do_follow(user, measure=None, area=Area.objects.get(gss_code="E08000035"))
        import_new_figures(folder)
        response = client.get(reverse("notifications"))
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:  # figures are public: every follower hears, whatever their communities
            assert response.status_code == 200
            assert "Leeds moved from the worst third to the middle third" in (
                response.content.decode()
            )
        assert Notification.objects.filter(kind=Notification.Kind.FIGURES).count() == (
            user is not None
        )

    elif surface in {"data_thread", "data_post_notification"}:
        if user is not None:
            do_set_email_frequency(user, EmailFrequency.OFF)
            Watch.objects.create(user=user, community=community, level=WatchLevel.WATCHING)
        do_set_linked_measures(community, [Dataset.objects.get(slug="recycling").measure])
        import_new_figures(folder)
        data_thread = ThreadPage.objects.child_of(community).get(title="New data: Recycling rate")
        if surface == "data_thread":
            response = client.get(data_thread.url)
            assert response.status_code == status
            page = response.content.decode()
            assert ("Started by Knowledge Hub" in page) == read
            assert ("Recycling rate for 2024/25: 2 new figures" in page) == read
        else:
            response = client.get(reverse("notifications"))
            if user is None:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"]
            else:
                assert response.status_code == 200
                assert ("New data: Recycling rate" in response.content.decode()) == read

    elif surface == "linked_measures":
        url = reverse("community-linked-measures", args=[community.slug])
        response = client.post(url, {"measure": "recycling"})
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif may_moderate(actor, visibility):
            assert response.status_code == 302
            assert client.get(url).status_code == 200
        else:
            assert response.status_code == (404 if not see else 403)
        assert community.linked_measures.exists() == (
            user is not None and may_moderate(actor, visibility)
        )

    elif surface == "figure_panels":
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


# -- Saved-search delivery: what a saved search may bring each reader --------------------------------

SAVED_SEARCH_CONTENT = ["open", "restricted", "private", "hidden"]
SAVED_SEARCH_READERS = ["member", "outsider", "former_member"]


def may_receive_saved_search(reader: str, content: str) -> bool:
    """Hidden content reaches no one; restricted and private content only active members (a
    former member left before the search ran); open content everyone."""
    if content == "hidden":
        return False
    return content == "open" or reader == "member"


@pytest.mark.parametrize("actor", ACTORS)
def test_many_communities_at_once_are_read_by_the_same_rule(world, db, actor):
    """``readable_among`` (how the search's permission filter reads every live community at once,
    from a list kept for everyone) decides as the rule does, for each kind of community."""
    people, places, _ = world
    user = people[actor] or AnonymousUser()
    communities = [(community.pk, community.visibility) for community, _ in places.values()]
    expected = [community.pk for v, (community, _) in places.items() if may_read(actor, v)]

    assert readable_among(user, communities) == expected
    ids = [pk for pk, _ in communities]
    assert set(readable_communities(user).filter(pk__in=ids).values_list("pk", flat=True)) == set(
        expected
    )


@pytest.mark.parametrize(
    ("reader", "content"),
    [
        pytest.param(reader, content, id=f"saved_search_delivery-{content}-{reader}")
        for content in SAVED_SEARCH_CONTENT
        for reader in SAVED_SEARCH_READERS
    ],
)
def test_saved_search_delivery_matrix(client, world, db, reader, content):
    from communities.discussions.services.moderation import do_hide_thread
    from communities.people.services.communities import do_add_member
    from communities.people.services.membership import do_leave
    from search.saved.services import check_save_search, do_match_new_content, do_save_search

    people, places, _ = world
    community, _ = places[Visibility.OPEN if content in {"open", "hidden"} else content]
    user = {"member": people["member"], "outsider": people["non_member"]}.get(reader)
    if user is None:
        user = UserFactory()
        do_add_member(community, user)
    do_set_email_frequency(user, EmailFrequency.OFF)
    do_save_search(user, check_save_search(user, {"q": "allotments", "frequency": "immediate"}))
    author = Membership.objects.filter(community=community, role="owner").first().user
    thread = do_start_thread(
        community=community,
        author=author,
        title="Allotments waiting list",
        body="How long is yours?",
    )
    if reader == "former_member":
        do_leave(user, community)
    if content == "hidden":
        do_hide_thread(thread, by=author)

    do_match_new_content("thread", [thread.pk])  # as the task does after the commit

    expected = may_receive_saved_search(reader, content)
    delivered = Notification.objects.filter(
        recipient=user, kind=Notification.Kind.SAVED_SEARCH, thread=thread
    )
    assert delivered.exists() == expected
    client.force_login(user)
    page = client.get(reverse("notifications")).content.decode()
    assert ("New for your saved search" in page) == expected
