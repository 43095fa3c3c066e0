"""A thread page's replies: their shared bodies kept per reader class (``hub.floor.fragments``), each
reader's controls rendered on every view. Kept bodies never reach a reader who may not see the thread
or a hidden reply, an announced change replaces them at once, and one reader's controls (edit
links, CSRF tokens) never appear on another reader's page."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from communities.discussions.services.moderation import do_hide_post, do_unhide_post
from communities.discussions.services.threads import do_delete_post, do_edit_post
from communities.models import Membership, Post, ThreadPage, Visibility
from communities.people.services.profiles import do_update_profile
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "outsider", "member", "banned", "facilitator", "staff"]
ORDERS = [
    READERS,
    list(reversed(READERS)),
    ["facilitator", "member", "anonymous", "staff", "banned", "outsider"],
]
REPLY = "We pooled gritting depots with the county and saved a fifth"
HIDDEN = "Our contractor's day rates were lower than anyone else's"


def thread_with_readers(visibility: str):
    owner = UserFactory(display_name="Owner Reader")
    community = CommunityFactory(title="Winter services", visibility=visibility, owner=owner)
    thread = ThreadFactory(community=community, title="Sharing gritting depots", author=owner)
    member = UserFactory(display_name="Member Reader")
    MembershipFactory(community=community, user=member)
    facilitator = UserFactory(display_name="Facilitator Reader")
    MembershipFactory(community=community, user=facilitator, role=Membership.Role.FACILITATOR)
    banned = UserFactory(display_name="Banned Reader")
    MembershipFactory(community=community, user=banned, status=Membership.Status.BANNED)
    people = {
        "owner": owner,
        "outsider": UserFactory(display_name="Outside Reader"),
        "member": member,
        "banned": banned,
        "facilitator": facilitator,
        "staff": UserFactory(display_name="Staff Reader", is_staff=True),
    }
    reply = PostFactory(thread=thread, author=member, body=REPLY)
    hidden = PostFactory(thread=thread, author=owner, body=HIDDEN)
    do_hide_post(hidden, by=facilitator)
    clients = {"anonymous": Client()}
    for name, user in people.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return community, ThreadPage.objects.get(pk=thread.pk), people, clients, reply, hidden


def seen(client: Client, url: str) -> tuple[int, bool, bool]:
    """The status, and whether the page shows the visible reply's and the hidden reply's text."""
    response = client.get(url)
    page = response.content.decode()
    return response.status_code, REPLY in page, HIDDEN in page


@pytest.mark.parametrize("visibility", [Visibility.OPEN, Visibility.RESTRICTED, Visibility.PRIVATE])
def test_kept_reply_bodies_reach_only_readers_who_may_see_them_in_any_order(settings, visibility):
    """The permission matrix with kept bodies off, then on in several reader orders (each reader
    asking after others, so whatever another reader's request kept is there to leak)."""
    community, thread, _, clients, _, _ = thread_with_readers(visibility)
    urls = [thread.url, f"{thread.url}?page=1"]

    settings.FRAGMENT_CACHE_SECONDS = 0
    expected = {(reader, url): seen(clients[reader], url) for reader in READERS for url in urls}
    assert expected[("member", thread.url)] == (200, True, False)  # hidden from members
    assert expected[("facilitator", thread.url)] == (200, True, True)  # not from facilitators
    assert expected[("staff", thread.url)] == (200, True, True)
    if visibility != Visibility.OPEN:
        for reader in ("anonymous", "outsider", "banned"):
            assert expected[(reader, thread.url)][1:] == (False, False), reader
    else:
        assert expected[("anonymous", thread.url)] == (200, True, False)

    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    try:
        for order in ORDERS:
            for url in urls:
                for reader in order:
                    assert seen(clients[reader], url) == expected[(reader, url)], (
                        reader,
                        url,
                        visibility,
                        order,
                    )
    finally:
        cache.clear()


@pytest.mark.parametrize("visibility", [Visibility.OPEN, Visibility.RESTRICTED])
def test_hiding_editing_deleting_and_replying_replace_kept_bodies_at_once(
    kept_fragments, visibility
):
    community, thread, people, clients, reply, hidden = thread_with_readers(visibility)
    member, facilitator = clients["member"], clients["facilitator"]
    assert seen(member, thread.url) == (200, True, False)
    assert seen(facilitator, thread.url) == (200, True, True)

    do_hide_post(Post.objects.get(pk=reply.pk), by=people["facilitator"])
    assert seen(member, thread.url) == (200, False, False)
    assert seen(facilitator, thread.url) == (200, True, True)

    do_unhide_post(Post.objects.get(pk=reply.pk), by=people["facilitator"])
    do_unhide_post(Post.objects.get(pk=hidden.pk), by=people["facilitator"])
    assert seen(member, thread.url) == (200, True, True)

    do_edit_post(post=Post.objects.get(pk=reply.pk), editor=people["member"], body="Depots shared")
    page = member.get(thread.url).content.decode()
    assert "Depots shared" in page and REPLY not in page

    PostFactory(thread=thread, author=people["facilitator"], body="A new reply about salt barns")
    for reader in ("member", "facilitator", "staff"):
        assert "A new reply about salt barns" in clients[reader].get(thread.url).content.decode()

    do_delete_post(post=Post.objects.get(pk=reply.pk), by=people["member"])
    page = member.get(thread.url).content.decode()
    assert "Depots shared" not in page and "This reply was deleted." in page


def edit_links(page: str) -> set[str]:
    return set(re.findall(r'href="(/[^"]*/edit/)"', page))


def csrf_tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))


def test_one_readers_controls_never_appear_on_another_readers_page(kept_fragments):
    """Each member sees the edit link of their own reply only, whoever asked first; every CSRF token
    on a page is that reader's own (a form rendered for another reader would carry theirs)."""
    community, thread, people, clients, reply, _ = thread_with_readers(Visibility.OPEN)
    other = UserFactory(display_name="Other Member")
    MembershipFactory(community=community, user=other)
    others = PostFactory(thread=thread, author=other, body="Our depot is in the north")
    clients["other"] = Client()
    clients["other"].force_login(other)
    mine = reverse("edit-post", args=[reply.pk])
    theirs = reverse("edit-post", args=[others.pk])

    for order in (["member", "other"], ["other", "member"], ["other", "member", "other"]):
        cache.clear()
        for reader in order:
            page = clients[reader].get(thread.url).content.decode()
            assert "Our depot is in the north" in page and REPLY in page
            links = edit_links(page) - {reverse("edit-thread", args=[thread.pk])}
            assert links == ({mine} if reader == "member" else {theirs}), (reader, order)
            client_cookie = clients[reader].cookies.get("csrftoken")
            tokens = csrf_tokens(page)
            assert tokens, reader
            if client_cookie is not None:
                from django.middleware.csrf import _unmask_cipher_token

                secrets = {_unmask_cipher_token(token) for token in tokens}
                assert secrets == {client_cookie.value}, (reader, order)

    # a facilitator's controls (edit any reply) never reach a member, and a member's never a visitor
    facilitator_page = clients["facilitator"].get(thread.url).content.decode()
    assert {mine, theirs} <= edit_links(facilitator_page)
    assert edit_links(clients["member"].get(thread.url).content.decode()) - {
        reverse("edit-thread", args=[thread.pk])
    } == {mine}
    visitor = clients["anonymous"].get(thread.url).content.decode()
    assert not edit_links(visitor) and "csrfmiddlewaretoken" not in visitor.split('id="reply"')[0]


def test_a_private_profile_links_only_for_its_owner_in_kept_bodies(kept_fragments):
    community, thread, people, clients, _, _ = thread_with_readers(Visibility.OPEN)
    hidden_person = people["member"]
    do_update_profile(
        hidden_person.profile, by=hidden_person, display_name="Member Reader", visibility="private"
    )
    PostFactory(thread=thread, author=people["owner"], body="Thanks @member-reader for the idea")
    profile_url = reverse("member-profile", args=[hidden_person.pk])
    clients["member"] = Client()  # signed in again: the profile changed
    clients["member"].force_login(hidden_person)

    for order in (["member", "facilitator", "staff"], ["facilitator", "member", "staff"]):
        cache.clear()
        for reader in order:
            page = clients[reader].get(thread.url).content.decode()
            assert "for the idea" in page
            assert (profile_url in page) == (reader in {"member", "staff"}), (reader, order)


def test_votes_show_at_once_although_bodies_are_kept(kept_fragments):
    from communities.discussions.services.threads import do_toggle_helpful

    community, thread, people, clients, reply, _ = thread_with_readers(Visibility.OPEN)
    assert "0 found this helpful" in clients["member"].get(thread.url).content.decode()
    do_toggle_helpful(post=Post.objects.get(pk=reply.pk), user=people["facilitator"])
    assert "1 found this helpful" in clients["member"].get(thread.url).content.decode()


def test_a_kept_page_of_replies_costs_the_same_at_10_and_300_replies_and_less_than_rendered(
    client, settings
):
    """Signed in, with the bodies kept: the same queries for a thread of 10 replies and one of 300
    (its first and fifth page), and fewer than rendering the bodies every time."""
    from communities.benchmarks.data import add_replies
    from hub.floor.pagecache import bump
    from tests.communities.discussions.test_query_counts import queries

    community = CommunityFactory()
    reader = UserFactory()
    MembershipFactory(community=community, user=reader)
    authors = [UserFactory() for _ in range(5)]
    small, large = ThreadFactory(community=community), ThreadFactory(community=community)
    add_replies(small, authors, 10)
    add_replies(large, authors, 300)
    bump()  # as announcements of the replies would (the bulk insert makes none)
    client.force_login(reader)
    urls = [small.url, large.url, f"{large.url}?page=5"]
    settings.FRAGMENT_CACHE_SECONDS = 0
    rendered = {url: queries(client, url) for url in urls}
    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    try:
        kept = {url: queries(client, url) for url in urls}
    finally:
        cache.clear()
    assert len(set(rendered.values())) == 1
    assert len(set(kept.values())) == 1
    assert kept[small.url] < rendered[small.url], (kept, rendered)


def test_an_edited_opening_post_and_the_tags_show_at_once(kept_fragments):
    from communities.discussions.services.threads import do_edit_thread

    owner = UserFactory()
    community = CommunityFactory(owner=owner)
    thread = ThreadFactory(
        community=community, author=owner, body="Salt stocks are low", tags=["winter-roads"]
    )
    reader = Client()
    reader.force_login(UserFactory())
    page = reader.get(thread.url).content.decode()
    assert "Salt stocks are low" in page and "winter-roads" in page
    do_edit_thread(
        thread=ThreadPage.objects.get(pk=thread.pk),
        editor=owner,
        title=thread.title,
        body="Salt stocks are fine now",
    )
    page = reader.get(thread.url).content.decode()
    assert "Salt stocks are fine now" in page and "Salt stocks are low" not in page
    assert "winter-roads" in page
