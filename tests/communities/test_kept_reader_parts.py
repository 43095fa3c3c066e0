"""What the signed-in home, dashboard, area, measure, case study and thread pages keep for every
reader (``hub.floor.fragments``: kept lists filtered on the reader's own communities, parts kept
per the very items shown or per class) never reaches a reader who may not see it, whatever order
readers come in; an announced change replaces it at once; another reader's state never appears."""

from __future__ import annotations

import difflib
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from communities.discussions.services.moderation import do_hide_thread
from communities.discussions.services.related import do_store_related
from communities.discussions.services.threads import check_figure, do_start_thread
from communities.models import Membership, ThreadPage, Visibility
from communities.people.services.membership import (
    do_ban,
    do_leave,
    do_update_community_settings,
)
from communities.people.services.profiles import do_update_profile
from linkeddata.models import Area
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)
from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recycling")]

LEEDS = "E08000035"
COMMUNITY = "Kerbside collection leads"
THREAD = "Why did our recycling rate fall behind?"
PLAIN_THREAD = "Food waste caddies: who pays?"
OFFICER = "Officer Okafor"
READERS = ["anonymous", "outsider", "member", "banned", "facilitator", "staff"]


def normalised(html: str) -> str:
    """A page without what differs on every rendering: CSRF tokens, one-off form keys, chart ids."""
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", html)
    html = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html)
    return re.sub(r"\b((?:hex|chart)-[a-z]+)-[0-9a-f]{8}\b", r"\1-ID", html)


def same_page(got: tuple[int, str], expected: tuple[int, str], *where: str) -> None:
    """``got`` is ``expected``; if not, fail with the lines that differ (not two whole pages)."""
    if got != expected:
        diff = difflib.unified_diff(expected[1].splitlines(), got[1].splitlines(), lineterm="", n=1)
        pytest.fail(f"{where}: {expected[0]} -> {got[0]}\n" + "\n".join(list(diff)[:40]))


@pytest.fixture
def world(home_page, settings):
    """A community of the given visibility with a thread about Leeds's recycling figure and an
    ordinary thread, an officer from Leeds among its members, a case study whose related content
    is the figure's thread, and one reader of each kind."""
    settings.DASHBOARD_SEEN_MINUTES = 60  # "new since your last visit" holds still while we look

    def build(visibility: str):
        owner = UserFactory(display_name="Owner Osei")
        community = CommunityFactory(title=COMMUNITY, visibility=visibility, owner=owner)
        member = UserFactory(display_name=OFFICER)
        MembershipFactory(community=community, user=member)
        leeds = Area.objects.get(gss_code=LEEDS)
        do_update_profile(
            member.profile, by=member, display_name=OFFICER, council=leeds, visibility="members"
        )
        thread = do_start_thread(
            community=community,
            author=member,
            title=THREAD,
            body="What is behind this figure?",
            figure=check_figure(LEEDS, "recycling", "2023/24"),
        )
        plain = ThreadFactory(community=community, title=PLAIN_THREAD)
        case = GoodPracticeFactory(title="Twin-stream recycling in Leeds")
        do_store_related(case.pk, [thread.pk])
        do_store_related(plain.pk, [thread.pk])
        facilitator = UserFactory(display_name="Facilitator Fenn")
        MembershipFactory(community=community, user=facilitator, role="facilitator")
        banned = UserFactory(display_name="Banned Bello")
        MembershipFactory(community=community, user=banned, status=Membership.Status.BANNED)
        people = {
            "outsider": UserFactory(display_name="Outsider Ode"),
            "member": member,
            "banned": banned,
            "facilitator": facilitator,
            "staff": UserFactory(display_name="Staff Sato", is_staff=True),
        }
        clients = {"anonymous": Client()}
        for name, user in people.items():
            clients[name] = Client()
            clients[name].force_login(user)
        urls = [
            "/",
            "/dashboard/",
            f"/doc/area/{LEEDS}",
            "/doc/measure/recycling",
            case.url,
            ThreadPage.objects.get(pk=plain.pk).url,
        ]
        return community, thread, owner, people, clients, urls

    return build


def page(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url, HTTP_ACCEPT="text/html")
    body = response.content.decode() if response.status_code == 200 else ""
    return response.status_code, normalised(body)


@pytest.mark.parametrize("visibility", [Visibility.OPEN, Visibility.RESTRICTED, Visibility.PRIVATE])
def test_every_reader_gets_the_page_they_would_get_with_nothing_kept_in_any_order(
    settings, world, visibility
):
    """Each page, whole, as each reader gets it with nothing kept, then with kept parts on and every
    other reader asking first (so whatever another reader's request kept is there to leak)."""
    community, thread, _, _, clients, urls = world(visibility)
    settings.FRAGMENT_CACHE_SECONDS = 0
    for reader in READERS:  # the dashboard's first visit sets "since your last visit"
        clients[reader].get("/dashboard/")
    expected = {(reader, url): page(clients[reader], url) for reader in READERS for url in urls}

    area = f"/doc/area/{LEEDS}"
    assert THREAD in expected[("member", area)][1] and COMMUNITY in expected[("member", area)][1]
    assert THREAD in expected[("member", "/dashboard/")][1]
    if visibility != Visibility.OPEN:  # the matrix is not trivially "everyone sees it"
        for reader in ("anonymous", "outsider", "banned"):
            assert THREAD not in expected[(reader, area)][1], reader
            assert THREAD not in expected[(reader, urls[-1])][1], reader  # related content
    if visibility == Visibility.PRIVATE:
        for reader in ("anonymous", "outsider", "banned"):
            assert COMMUNITY not in expected[(reader, "/")][1], reader
            assert COMMUNITY not in expected[(reader, area)][1], reader
        assert COMMUNITY in expected[("member", "/")][1]
    assert OFFICER in expected[("outsider", area)][1]  # members' profiles: to the signed-in
    assert OFFICER not in expected[("anonymous", area)][1]

    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    try:
        orders = [READERS, list(reversed(READERS)), ["member", "banned", "staff", "anonymous"]]
        for order in orders:
            for url in urls:
                for reader in order:
                    same_page(page(clients[reader], url), expected[(reader, url)], reader, url)
    finally:
        cache.clear()


@pytest.mark.parametrize("leaving", ["leaves", "is banned"])
def test_a_member_who_leaves_or_is_banned_loses_the_kept_parts_at_once(
    kept_fragments, world, leaving
):
    community, thread, owner, people, clients, urls = world(Visibility.PRIVATE)
    member = clients["member"]
    for url in urls:
        assert member.get(url).status_code == 200
    home, area = member.get("/").content.decode(), member.get(f"/doc/area/{LEEDS}").content.decode()
    assert COMMUNITY in home and THREAD in area and COMMUNITY in area
    assert THREAD in member.get("/dashboard/").content.decode()

    if leaving == "leaves":
        do_leave(people["member"], community)
    else:
        do_ban(community, people["member"], by=owner)
    assert COMMUNITY not in member.get("/").content.decode()
    area = member.get(f"/doc/area/{LEEDS}").content.decode()
    assert THREAD not in area and COMMUNITY not in area
    assert THREAD not in member.get("/doc/measure/recycling").content.decode()
    assert THREAD not in member.get("/dashboard/").content.decode()
    assert THREAD not in member.get(urls[-1]).content.decode()  # related content


def test_a_community_made_private_leaves_outsiders_kept_parts_at_once(kept_fragments, world):
    community, thread, owner, people, clients, urls = world(Visibility.OPEN)
    outsider = clients["outsider"]
    for url in urls:
        assert outsider.get(url).status_code == 200
    area = outsider.get(f"/doc/area/{LEEDS}").content.decode()
    assert THREAD in area and COMMUNITY in area and COMMUNITY in outsider.get("/").content.decode()
    assert THREAD in outsider.get(urls[-2]).content.decode()  # the case study's related content

    do_update_community_settings(
        community, by=owner, description="Invitation only.", tags=[], visibility=Visibility.PRIVATE
    )
    area = outsider.get(f"/doc/area/{LEEDS}").content.decode()
    assert THREAD not in area and COMMUNITY not in area
    assert COMMUNITY not in outsider.get("/").content.decode()
    assert THREAD not in outsider.get("/doc/measure/recycling").content.decode()
    assert THREAD not in outsider.get(urls[-2]).content.decode()
    assert THREAD in clients["member"].get(f"/doc/area/{LEEDS}").content.decode()


def test_a_hidden_thread_and_a_new_one_show_at_once(kept_fragments, world):
    community, thread, owner, people, clients, urls = world(Visibility.OPEN)
    member = clients["member"]
    for url in urls:
        member.get(url)
    do_hide_thread(ThreadPage.objects.get(pk=thread.pk), by=owner)
    for url in [f"/doc/area/{LEEDS}", "/doc/measure/recycling", "/dashboard/", urls[-1]]:
        assert THREAD not in member.get(url).content.decode(), url

    ThreadFactory(community=community, title="Garden waste charges in 2025")
    assert "Garden waste charges in 2025" in member.get("/dashboard/").content.decode()


def test_a_profile_made_private_leaves_the_kept_members_panel_at_once(kept_fragments, world):
    _, _, _, people, clients, _ = world(Visibility.OPEN)
    area = f"/doc/area/{LEEDS}"
    assert OFFICER in clients["outsider"].get(area).content.decode()
    assert OFFICER in clients["member"].get(area).content.decode()  # their own, kept for them

    member = people["member"]
    do_update_profile(
        member.profile,
        by=member,
        display_name=OFFICER,
        council=member.profile.council,
        visibility="private",
    )
    assert OFFICER not in clients["outsider"].get(area).content.decode()
    # the owner of a private profile is a class of their own: they still see themselves, and
    # what is kept for them never reaches anyone else
    assert OFFICER in clients["member"].get(area).content.decode()
    assert OFFICER not in clients["facilitator"].get(area).content.decode()
    assert OFFICER in clients["staff"].get(area).content.decode()


def test_one_readers_follow_controls_never_reach_another(kept_fragments, world):
    """The area page's panels are kept, but its "Follow" form is each reader's own."""
    from communities.data_alerts.services import do_follow

    _, _, _, people, clients, _ = world(Visibility.OPEN)
    area = Area.objects.get(gss_code=LEEDS)
    do_follow(people["outsider"], measure=None, area=area)
    url = f"/doc/area/{LEEDS}"
    for _ in range(2):
        assert "Stop following Leeds" in clients["outsider"].get(url).content.decode()
        assert "Stop following Leeds" not in clients["facilitator"].get(url).content.decode()


# -- Queries: the same on a small and a larger site --------------------------------------------


def queries(client: Client, url: str) -> int:
    client.get(url, HTTP_ACCEPT="text/html")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200, url
    return len(captured)


def grow(community, leeds: Area, times: int) -> None:
    """More communities with Leeds's officers in them, threads about the figure and case studies."""
    for n in range(times):
        other = CommunityFactory(visibility=[Visibility.OPEN, Visibility.PRIVATE][n % 2])
        officer = UserFactory()
        MembershipFactory(community=other, user=officer)
        do_update_profile(officer.profile, by=officer, display_name=f"Officer {n}", council=leeds)
        do_start_thread(
            community=other,
            author=officer,
            title=f"Figure question {n}",
            body="Why?",
            figure=check_figure(LEEDS, "recycling", "2023/24"),
        )
        ThreadFactory(community=community, title=f"More threads {n}")
        GoodPracticeFactory()


@pytest.mark.parametrize("kept", [True, False])
def test_the_signed_in_pages_cost_the_same_queries_on_a_small_and_a_larger_site(
    settings, world, kept
):
    settings.FRAGMENT_CACHE_SECONDS = 300 if kept else 0
    cache.clear()
    community, _, _, _, clients, urls = world(Visibility.RESTRICTED)
    settings.DASHBOARD_SEEN_MINUTES = 0  # "new since your last visit": since the request before
    member = clients["member"]
    small = {url: queries(member, url) for url in urls}
    grow(community, Area.objects.get(gss_code=LEEDS), 8)
    cache.clear()
    large = {url: queries(member, url) for url in urls}
    assert large == small
    cache.clear()
