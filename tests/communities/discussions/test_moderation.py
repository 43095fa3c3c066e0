import pytest
from django.urls import reverse

from communities.discussions.services.moderation import (
    do_flag_post,
    do_flag_thread,
    do_hide_post,
    do_hide_thread,
    do_lock_thread,
    do_move_thread,
    do_pin_thread,
    do_unhide_post,
    do_unhide_thread,
    do_unlock_thread,
)
from communities.errors import Refusal
from communities.models import Flag, Membership, ModerationAction, Post, ThreadPage, Visibility
from communities.people.services.communities import do_add_member
from communities.permissions import can_read_community, readable_notifications, readable_threads
from tests.factories import CommunityFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(home_page):
    facilitator = UserFactory(display_name="Fiona Facilitator")
    community = CommunityFactory(title="Waste", visibility=Visibility.OPEN, owner=UserFactory())
    do_add_member(community, facilitator, role=Membership.Role.FACILITATOR)
    thread = ThreadFactory(community=community, title="Food waste caddies")
    post = PostFactory(thread=thread, body="Buy my miracle caddies at example.com")
    return community, facilitator, thread, post


def test_flag_goes_to_the_facilitators_queue_and_hiding_resolves_it(client, setting):
    community, facilitator, thread, post = setting
    reader = UserFactory()
    client.force_login(reader)

    assert client.get(reverse("flag-post", args=[post.pk])).status_code == 200
    response = client.post(
        reverse("flag-post", args=[post.pk]), {"reason": "spam", "detail": "Advert"}
    )
    assert response.status_code == 302

    client.force_login(facilitator)
    queue = client.get(reverse("moderation-queue", args=[community.slug])).content.decode()
    assert "Spam or advertising" in queue and "miracle caddies" in queue and "Advert" in queue

    client.post(reverse("moderate-post", args=[community.slug, post.pk, "hide"]))
    post.refresh_from_db()
    assert post.is_hidden
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert (
        "No flagged posts."
        in client.get(reverse("moderation-queue", args=[community.slug])).content.decode()
    )

    client.post(reverse("moderate-post", args=[community.slug, post.pk, "unhide"]))
    post.refresh_from_db()
    assert not post.is_hidden


def test_dismissing_a_flag_leaves_the_post_alone(client, setting):
    community, facilitator, thread, post = setting
    do_flag_post(post, by=UserFactory(), reason="off_topic")
    client.force_login(facilitator)

    thread_page = reverse("moderate-thread", args=[community.slug, thread.pk])
    assert "flagged 1 time" in client.get(thread_page).content.decode()
    client.post(reverse("moderate-post", args=[community.slug, post.pk, "dismiss"]))

    flag = Flag.objects.get()
    assert flag.resolution == "Dismissed" and flag.resolved_by == facilitator
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert (
        "flagged" not in client.get(thread_page).content.decode()
    )  # dealt with: no longer counted


def test_bad_flag_input_is_explained(client, setting):
    community, facilitator, thread, post = setting
    client.force_login(UserFactory())

    response = client.post(
        reverse("flag-post", args=[post.pk]), {"reason": "because", "detail": "keep me"}
    )

    assert response.status_code == 200
    assert "Error:" in response.content.decode() and "keep me" in response.content.decode()
    assert not Flag.objects.exists()


def test_people_who_cannot_read_a_post_cannot_flag_it(client, home_page):
    owner = UserFactory()
    restricted = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    private = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    restricted_post = PostFactory(thread=ThreadFactory(community=restricted))
    private_post = PostFactory(thread=ThreadFactory(community=private))
    outsider = UserFactory()
    client.force_login(outsider)

    assert (
        client.post(reverse("flag-post", args=[restricted_post.pk]), {"reason": "spam"}).status_code
        == 403
    )
    assert (
        client.post(reverse("flag-post", args=[private_post.pk]), {"reason": "spam"}).status_code
        == 404
    )
    with pytest.raises(Refusal):
        do_flag_post(restricted_post, by=outsider, reason="spam")
    assert not Flag.objects.exists()


def test_members_cannot_moderate(client, setting):
    community, facilitator, thread, post = setting
    member = UserFactory()
    do_add_member(community, member)
    client.force_login(member)

    assert client.get(reverse("moderation-queue", args=[community.slug])).status_code == 403
    assert client.get(reverse("moderation-log", args=[community.slug])).status_code == 403
    assert (
        client.post(reverse("moderate-post", args=[community.slug, post.pk, "hide"])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": "lock"}
        ).status_code
        == 403
    )
    with pytest.raises(Refusal):
        do_hide_post(post, by=member)
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert not ThreadPage.objects.get(pk=thread.pk).is_locked


def test_lock_and_pin_are_recorded_in_the_audit_log(client, setting):
    community, facilitator, thread, post = setting
    client.force_login(facilitator)

    for action in ("lock", "pin", "unlock", "unpin", "lock"):
        assert (
            client.post(
                reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": action}
            ).status_code
            == 302
        )

    thread.refresh_from_db()
    assert thread.is_locked and not thread.is_pinned
    log = client.get(reverse("moderation-log", args=[community.slug])).content.decode()
    assert "Locked a thread" in log and "Pinned a thread" in log and "Fiona Facilitator" in log
    assert ModerationAction.objects.filter(community=community, thread=thread).count() == 5


def test_site_staff_moderate_everything(setting):
    community, facilitator, thread, post = setting
    staff = UserFactory(is_staff=True)

    do_lock_thread(thread, by=staff)
    do_pin_thread(thread, by=staff)
    do_hide_post(post, by=staff)
    do_unhide_post(post, by=staff)
    do_unlock_thread(thread, by=staff)

    assert ModerationAction.objects.filter(actor=staff).count() == 5


def test_moving_a_thread_keeps_its_community_and_permissions_in_step(client, setting):
    community, facilitator, thread, post = setting
    private = CommunityFactory(
        title="Waste leads", visibility=Visibility.PRIVATE, owner=UserFactory()
    )
    do_add_member(private, facilitator, role=Membership.Role.FACILITATOR)
    ThreadFactory(community=private, title="Food waste caddies")  # same slug waiting there
    outsider = UserFactory()
    assert thread in readable_threads(outsider)
    client.force_login(facilitator)

    response = client.post(
        reverse("moderate-thread", args=[community.slug, thread.pk]),
        {"action": "move", "to": private.pk},
    )

    assert response.status_code == 302
    moved = ThreadPage.objects.get(pk=thread.pk)
    assert moved.community_id == private.pk
    assert moved.get_parent().pk == private.pk
    assert moved.slug == "food-waste-caddies-2"
    assert moved not in readable_threads(outsider)
    assert not can_read_community(outsider, moved.community)
    assert moved.posts.count() == 1
    client.force_login(outsider)
    assert client.get(moved.url).status_code == 404
    assert ModerationAction.objects.filter(community=community, kind="move_thread_out").exists()
    assert ModerationAction.objects.filter(community=private, kind="move_thread_in").exists()


def test_a_thread_moves_only_to_a_community_the_facilitator_also_runs(client, setting):
    community, facilitator, thread, post = setting
    elsewhere = CommunityFactory(visibility=Visibility.OPEN, owner=UserFactory())
    do_add_member(elsewhere, facilitator)  # a member there, not a facilitator

    with pytest.raises(Refusal, match="also facilitate"):
        do_move_thread(thread, to=elsewhere, by=facilitator)
    client.force_login(facilitator)
    page = client.post(
        reverse("moderate-thread", args=[community.slug, thread.pk]),
        {"action": "move", "to": elsewhere.pk},
    )
    assert page.status_code == 200 and "There is a problem" in page.content.decode()
    assert ThreadPage.objects.get(pk=thread.pk).community_id == community.pk


def test_wagtail_admin_move_also_updates_the_thread_community(setting):
    community, facilitator, thread, post = setting
    other = CommunityFactory(visibility=Visibility.OPEN)

    ThreadPage.objects.get(pk=thread.pk).move(other, pos="last-child")

    assert ThreadPage.objects.get(pk=thread.pk).community_id == other.pk


def test_thread_page_tags_offer_moderation_to_facilitators_and_flagging_to_readers(rf, setting):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    community, facilitator, thread, post = setting
    template = Template("{% load people_tags %}{% moderation_link thread %}{% flag_link post %}")

    def render(user):
        request = rf.get(thread.url)
        request.user = user
        return template.render(Context({"request": request, "thread": thread, "post": post}))

    as_facilitator, as_member, as_visitor = (
        render(facilitator),
        render(UserFactory()),
        render(AnonymousUser()),
    )
    assert reverse("moderate-thread", args=[community.slug, thread.pk]) in as_facilitator
    assert (
        "Moderate this thread" not in as_member
        and reverse("flag-post", args=[post.pk]) in as_member
    )
    assert "Flag" not in as_visitor


def test_people_banned_from_a_community_cannot_flag_its_posts(setting):
    from communities.people.services.membership import do_ban

    community, facilitator, thread, post = setting
    banned = UserFactory()
    do_ban(community, banned, by=facilitator)

    with pytest.raises(Refusal):
        do_flag_post(post, by=banned, reason="spam")


# -- A thread's opening post ---------------------------------------------------------------------


def test_a_member_flags_an_opening_post_and_it_appears_in_the_queue_with_a_link_to_the_thread(
    client, setting
):
    community, facilitator, thread, post = setting
    reader = UserFactory(display_name="Rita Reader")
    client.force_login(reader)

    page = client.get(thread.url).content.decode()
    assert (
        reverse("flag-thread", args=[thread.pk]) in page
    )  # the opening post has its own flag link
    form = client.get(reverse("flag-thread", args=[thread.pk])).content.decode()
    assert "Flag the opening post of “Food waste caddies”" in form
    response = client.post(
        reverse("flag-thread", args=[thread.pk]),
        {"reason": "off_topic", "detail": "Belongs elsewhere"},
    )
    assert response.status_code == 302 and response["Location"] == f"{thread.url}#opening-post"
    client.post(reverse("flag-thread", args=[thread.pk]), {"reason": "spam", "detail": "An advert"})

    flag = Flag.objects.get()  # flagging again updates the member's one open flag
    assert (flag.thread_id, flag.post_id, flag.reason, flag.detail) == (
        thread.pk,
        None,
        "spam",
        "An advert",
    )
    client.force_login(facilitator)
    community_page = client.get(community.url).content.decode()
    assert "(1 flagged post)" in community_page
    queue = client.get(reverse("moderation-queue", args=[community.slug])).content.decode()
    assert "Spam or advertising: opening post by" in queue and "An advert" in queue
    assert f'<a href="{thread.url}">Food waste caddies</a>' in queue
    assert "We are reviewing our approach" in queue  # the opening post's text
    assert "Hide the thread" in queue and "Flagged by Rita Reader" in queue


def test_outsiders_of_a_private_community_get_404_and_nothing_is_recorded(client, home_page):
    owner = UserFactory()
    private = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    restricted = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    private_thread = ThreadFactory(community=private, title="Confidential restructure")
    restricted_thread = ThreadFactory(community=restricted, title="Members only question")
    url = reverse("flag-thread", args=[private_thread.pk])

    assert "/accounts/login/" in client.post(url, {"reason": "spam"})["Location"]
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    response = client.post(url, {"reason": "spam"})
    assert (
        response.status_code == 404 and "Confidential restructure" not in response.content.decode()
    )
    members_only = client.post(
        reverse("flag-thread", args=[restricted_thread.pk]), {"reason": "spam"}
    )
    assert (
        members_only.status_code == 403
        and "We are reviewing our approach" not in members_only.content.decode()
    )
    with pytest.raises(Refusal):
        do_flag_thread(private_thread, by=outsider, reason="spam")
    assert not Flag.objects.exists()


def test_people_banned_from_a_community_cannot_flag_its_opening_posts(setting):
    from communities.people.services.membership import do_ban

    community, facilitator, thread, post = setting
    banned = UserFactory()
    do_ban(community, banned, by=facilitator)

    with pytest.raises(Refusal):
        do_flag_thread(thread, by=banned, reason="spam")
    assert not Flag.objects.exists()


def test_hiding_a_flagged_opening_post_hides_the_thread_from_readers_until_unhidden(
    client, setting
):
    from communities.discussions.services.threads import do_reply
    from communities.models import Watch, WatchLevel

    community, facilitator, thread, post = setting
    reader = UserFactory()
    do_add_member(community, reader)
    Watch.objects.create(user=reader, thread=thread, level=WatchLevel.WATCHING)
    do_reply(thread=thread, author=thread.author, body="Another reply")
    assert readable_notifications(reader).filter(thread=thread).exists()
    do_flag_thread(thread, by=reader, reason="abuse")
    client.force_login(facilitator)

    queue = reverse("moderation-queue", args=[community.slug])
    response = client.post(
        reverse("moderate-thread", args=[community.slug, thread.pk]),
        {"action": "hide", "next": queue},
    )

    assert response.status_code == 302 and response["Location"] == queue
    assert not Flag.objects.open().exists()
    assert Flag.objects.get().resolution == "Thread hidden"
    moderation_page = client.get(queue).content.decode()
    assert (
        "No flagged posts." in moderation_page
        and '<span class="badge">Hidden</span>' in moderation_page
    )
    assert (
        "Hidden from readers"
        in client.get(reverse("moderate-thread", args=[community.slug, thread.pk])).content.decode()
    )
    client.force_login(reader)
    assert client.get(thread.url).status_code == 404
    assert "Food waste caddies" not in client.get(community.url).content.decode()
    assert client.get(reverse("thread-feed-rss", args=[thread.pk])).status_code == 404
    assert client.get(f"/api/threads/{thread.pk}").status_code == 404
    assert client.get(reverse("flag-thread", args=[thread.pk])).status_code == 404
    assert (
        client.get(reverse("flag-post", args=[post.pk])).status_code == 404
    )  # nor its replies' text
    assert not readable_notifications(reader).filter(thread=thread).exists()
    log = ModerationAction.objects.filter(
        community=community, kind="hide_thread", thread=thread, actor=facilitator
    )
    assert log.exists()

    client.force_login(facilitator)
    client.post(reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": "unhide"})
    client.force_login(reader)
    assert client.get(thread.url).status_code == 200
    assert "Food waste caddies" in client.get(community.url).content.decode()
    assert ModerationAction.objects.filter(community=community, kind="unhide_thread").exists()
    client.force_login(facilitator)
    assert (
        "Unhid a thread"
        in client.get(reverse("moderation-log", args=[community.slug])).content.decode()
    )


def test_dismissing_an_opening_post_flag_leaves_the_thread_alone(client, setting):
    community, facilitator, thread, post = setting
    do_flag_thread(thread, by=UserFactory(), reason="off_topic")
    client.force_login(facilitator)
    assert (
        "flagged 1 time"
        in client.get(reverse("moderate-thread", args=[community.slug, thread.pk])).content.decode()
    )

    client.post(reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": "dismiss"})

    flag = Flag.objects.get()
    assert flag.resolution == "Dismissed" and flag.resolved_by == facilitator
    assert ThreadPage.objects.get(pk=thread.pk).live
    entry = ModerationAction.objects.get(kind="dismiss_flag")
    assert (entry.thread_id, entry.post_id, entry.detail) == (thread.pk, None, "Off topic")


def test_members_cannot_hide_threads(client, setting):
    community, facilitator, thread, post = setting
    member = UserFactory()
    do_add_member(community, member)
    client.force_login(member)

    assert (
        client.post(
            reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": "hide"}
        ).status_code
        == 403
    )
    with pytest.raises(Refusal):
        do_hide_thread(thread, by=member)
    assert ThreadPage.objects.get(pk=thread.pk).live
    assert not ModerationAction.objects.filter(kind="hide_thread").exists()


def test_hidden_replies_cannot_be_flagged_so_their_text_is_not_shown(client, setting):
    community, facilitator, thread, post = setting
    do_hide_post(post, by=facilitator)
    client.force_login(UserFactory())

    response = client.get(reverse("flag-post", args=[post.pk]))

    assert response.status_code == 404 and "miracle caddies" not in response.content.decode()


def test_a_flag_is_on_exactly_one_post(setting):
    from django.db import IntegrityError, transaction

    community, facilitator, thread, post = setting
    for target in ({"post": post, "thread": thread}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Flag.objects.create(flagged_by=facilitator, reason="spam", **target)


def test_thread_page_offers_flagging_the_opening_post_to_signed_in_readers(rf, setting):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    community, facilitator, thread, post = setting
    template = Template("{% load people_tags %}{% flag_link thread %}")

    def render(user):
        request = rf.get(thread.url)
        request.user = user
        return template.render(Context({"request": request, "thread": thread}))

    assert reverse("flag-thread", args=[thread.pk]) in render(UserFactory())
    assert "the opening post" in render(UserFactory())
    assert render(AnonymousUser()).strip() == ""


def test_hiding_and_unhiding_a_thread_keep_what_happened_in_it_meanwhile(setting):
    from communities.discussions.services.threads import do_reply

    community, facilitator, thread, post = setting
    stale = ThreadPage.objects.get(pk=thread.pk)
    do_reply(thread=thread, author=thread.author, body="A later reply")
    do_lock_thread(thread, by=facilitator)

    do_hide_thread(stale, by=facilitator)
    do_unhide_thread(stale, by=facilitator)

    fresh = ThreadPage.objects.get(pk=thread.pk)
    assert fresh.live and fresh.is_locked and fresh.reply_count == 2
    assert stale.live
