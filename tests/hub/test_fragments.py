"""Parts of pages kept per reader class (``hub.floor.fragments``): a kept part never reaches a reader
who may not see it, whatever order readers come in, and an announced change replaces it at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from communities.discussions.services.moderation import do_hide_thread
from communities.discussions.services.threads import do_edit_thread
from communities.models import CommunityPage, Membership, ThreadPage, Visibility
from communities.people.services.membership import (
    do_ban,
    do_leave,
    do_update_community_settings,
)
from communities.permissions import reader_class
from hub.floor.fragments import fragment
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

THREAD_TITLE = "Charging policy for respite care"
READERS = ["anonymous", "outsider", "member", "banned", "staff"]


def quietly_retitle(thread: ThreadPage, title: str) -> None:
    """A change no service announces (a raw database edit): kept fragments do not see it."""
    ThreadPage.objects.filter(pk=thread.pk).update(title=title)


def community_with_readers(visibility: str):
    owner = UserFactory(display_name="Owner Reader")
    community = CommunityFactory(
        title="Adult social care leads", visibility=visibility, owner=owner
    )
    thread = ThreadFactory(community=community, title=THREAD_TITLE)
    member = UserFactory(display_name="Member Reader")
    MembershipFactory(community=community, user=member)
    banned = UserFactory(display_name="Banned Reader")
    MembershipFactory(community=community, user=banned, status=Membership.Status.BANNED)
    people = {
        "outsider": UserFactory(display_name="Outside Reader"),
        "member": member,
        "banned": banned,
        "staff": UserFactory(display_name="Staff Reader", is_staff=True),
    }
    clients = {"anonymous": Client()}
    for name, user in people.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return community, thread, owner, people, clients


def sees_thread(client: Client, url: str) -> tuple[int, bool]:
    response = client.get(url)
    return response.status_code, THREAD_TITLE in response.content.decode()


def test_a_fragment_is_kept_until_a_change_is_announced(kept_fragments, client):
    community = CommunityFactory()
    thread = ThreadFactory(community=community, title="Gritting routes")
    reader = UserFactory()
    client.force_login(reader)
    assert "Gritting routes" in client.get(community.url).content.decode()

    quietly_retitle(thread, "A title nobody announced")
    assert "Gritting routes" in client.get(community.url).content.decode()  # kept

    thread = ThreadPage.objects.get(pk=thread.pk)
    do_edit_thread(
        thread=thread, editor=thread.owner, title="Gritting routes: what works?", body="x"
    )
    assert "Gritting routes: what works?" in client.get(community.url).content.decode()


def test_fragments_are_rendered_every_time_when_switched_off(settings, client):
    settings.FRAGMENT_CACHE_SECONDS = 0
    community = CommunityFactory()
    thread = ThreadFactory(community=community, title="Gritting routes")
    client.force_login(UserFactory())
    client.get(community.url)
    quietly_retitle(thread, "Salt barns")
    assert "Salt barns" in client.get(community.url).content.decode()


@pytest.mark.parametrize("visibility", [Visibility.OPEN, Visibility.RESTRICTED, Visibility.PRIVATE])
def test_every_reader_sees_what_they_would_without_kept_fragments_in_any_order(
    settings, visibility
):
    """The permission matrix with and without kept fragments: each reader, asking in turn after
    every other reader (so whatever another reader's request kept is there to leak), gets the
    same status and the same thread list as with fragments off."""
    community, thread, _, _, clients = community_with_readers(visibility)
    urls = [community.url, f"{community.url}?status=unanswered"]

    settings.FRAGMENT_CACHE_SECONDS = 0
    expected = {
        (reader, url): sees_thread(clients[reader], url) for reader in READERS for url in urls
    }
    if visibility != Visibility.OPEN:  # the matrix is not trivially "everyone sees it"
        assert expected[("outsider", community.url)][1] is False
        assert expected[("banned", community.url)][1] is False
    assert expected[("member", community.url)] == (200, True)

    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    try:
        for order in (READERS, list(reversed(READERS)), ["member", "banned", "staff", "outsider"]):
            for url in urls:
                for reader in order:
                    assert sees_thread(clients[reader], url) == expected[(reader, url)], (
                        reader,
                        url,
                        visibility,
                    )
    finally:
        cache.clear()


@pytest.mark.parametrize("visibility", [Visibility.RESTRICTED, Visibility.PRIVATE])
def test_a_member_who_leaves_no_longer_gets_the_members_list(kept_fragments, visibility):
    community, thread, _, people, clients = community_with_readers(visibility)
    assert sees_thread(clients["member"], community.url) == (200, True)

    do_leave(people["member"], CommunityPage.objects.get(pk=community.pk))
    status, seen = sees_thread(clients["member"], community.url)
    assert not seen
    assert status == (404 if visibility == Visibility.PRIVATE else 200)
    # the other members still get it
    assert sees_thread(clients["staff"], community.url) == (200, True)


@pytest.mark.parametrize("visibility", [Visibility.RESTRICTED, Visibility.PRIVATE])
def test_a_banned_member_no_longer_gets_the_members_list(kept_fragments, visibility):
    community, thread, owner, people, clients = community_with_readers(visibility)
    assert sees_thread(clients["member"], community.url) == (200, True)

    do_ban(CommunityPage.objects.get(pk=community.pk), people["member"], by=owner)
    status, seen = sees_thread(clients["member"], community.url)
    assert not seen
    assert status == (404 if visibility == Visibility.PRIVATE else 200)


def test_a_community_made_restricted_keeps_its_list_from_outsiders(kept_fragments):
    community, thread, owner, _, clients = community_with_readers(Visibility.OPEN)
    for reader in READERS:  # everyone reads an open community: its list is kept
        assert sees_thread(clients[reader], community.url) == (200, True)

    do_update_community_settings(
        CommunityPage.objects.get(pk=community.pk),
        by=owner,
        description="Members only now.",
        tags=[],
        visibility=Visibility.RESTRICTED,
    )
    for reader in ("anonymous", "outsider", "banned"):
        assert sees_thread(clients[reader], community.url) == (200, False), reader
    for reader in ("member", "staff"):
        assert sees_thread(clients[reader], community.url) == (200, True), reader


def test_a_hidden_thread_leaves_every_kept_list(kept_fragments):
    community, thread, owner, _, clients = community_with_readers(Visibility.OPEN)
    for reader in READERS:
        assert sees_thread(clients[reader], community.url)[1]

    do_hide_thread(ThreadPage.objects.get(pk=thread.pk), by=owner)
    for reader in READERS:
        assert sees_thread(clients[reader], community.url) == (200, False), reader


def test_an_unpublished_case_study_leaves_the_kept_library(kept_fragments, client):
    page = GoodPracticeFactory(title="Reablement at home")
    client.force_login(UserFactory())
    assert "Reablement at home" in client.get("/good-practice/").content.decode()

    page.unpublish()  # Wagtail's own unpublishing, as the admin does
    assert "Reablement at home" not in client.get("/good-practice/").content.decode()


def test_reader_classes_come_from_the_access_layer():
    """Two readers share a kept fragment only when ``reader_class`` puts them together: members
    apart from outsiders, banned people with outsiders (they read what the public reads)."""
    community, _, _, people, _ = community_with_readers(Visibility.RESTRICTED)
    from django.contrib.auth.models import AnonymousUser

    classes = {name: reader_class(user, community) for name, user in people.items()}
    assert classes == {
        "outsider": "outsider",
        "member": "member",
        "banned": "outsider",
        "staff": "staff",
    }
    assert reader_class(AnonymousUser(), community) == "outsider"
    community.visibility = Visibility.OPEN
    assert reader_class(AnonymousUser(), community) == "reader"


def test_a_fragment_key_names_its_parts(kept_fragments):
    """Different parts (object, class, filters) never share a kept fragment."""
    CommunityFactory()  # an announced change: the generation exists
    rendered = []

    def render(text: str):
        def inner() -> str:
            rendered.append(text)
            return text

        return inner

    assert fragment("list", (1, "member"), render("members' list")) == "members' list"
    assert fragment("list", (1, "outsider"), render("outsiders' list")) == "outsiders' list"
    assert fragment("list", (1, "member"), render("again")) == "members' list"
    assert rendered == ["members' list", "outsiders' list"]


def test_a_case_studys_unpublished_changes_never_reach_its_kept_article(kept_fragments, client):
    """Readers get the published article, kept; the author's changes waiting for review stay in
    the author's preview; once approved, every reader gets them at once."""
    from communities.good_practice.services import (
        do_review_good_practice,
        do_update_good_practice,
    )
    from communities.models import GoodPracticePage
    from tests.factories import good_practice_editor

    page = GoodPracticeFactory(approach="We redesigned the process with residents.")
    reader = Client()
    reader.force_login(UserFactory())
    assert "We redesigned the process with residents." in reader.get(page.url).content.decode()

    do_update_good_practice(
        page,
        page.author,
        {"approach": "A draft approach nobody approved yet."},
        submit=True,
    )
    for _ in range(2):
        text = reader.get(page.url).content.decode()
        assert "A draft approach nobody approved yet." not in text
        assert "We redesigned the process with residents." in text
    client.force_login(page.author)
    preview = client.get(f"/good-practice/submissions/{page.pk}/").content.decode()
    assert "A draft approach nobody approved yet." in preview

    do_review_good_practice(
        GoodPracticePage.objects.get(pk=page.pk), good_practice_editor(), approve=True
    )
    assert "A draft approach nobody approved yet." in reader.get(page.url).content.decode()


def test_a_value_kept_inside_a_change_rolled_back_is_never_found_again(kept_fragments):
    """A change bumps the generation and, in the same transaction, something is kept under it; the
    change rolls back. The next change that commits has a generation of its own, so what only the
    rolled-back transaction saw is not found under it."""
    from django.db import transaction

    from hub.floor.fragments import kept_value
    from hub.floor.pagecache import bump, current_generation

    with transaction.atomic():
        bump()
    with pytest.raises(RuntimeError), transaction.atomic():
        bump()
        rolled_back = current_generation()
        kept_value("seen", [], lambda: "what the rolled-back change saw")
        raise RuntimeError("the change fails")
    with transaction.atomic():
        bump()

    assert current_generation() != rolled_back
    assert kept_value("seen", [], lambda: "as it is") == "as it is"


def test_what_a_walk_through_many_pages_keeps_does_not_push_the_first_page_out(kept_fragments):
    """A visitor's walk through a few hundred pages keeps each page and its parts. Django's default
    cache holds 300 entries, so the first pages were dropped before anyone came back to them and
    every page was built afresh; the hub's cache holds the walk (``CACHE_MAX_ENTRIES``)."""
    from hub.floor.fragments import kept_value
    from hub.floor.pagecache import bump

    bump()
    for page in range(2_000):
        kept_value("page", [page], lambda page=page: f"page {page} as first built")

    assert kept_value("page", [0], lambda: "built again") == "page 0 as first built"
