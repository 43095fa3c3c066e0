import pytest
from django.urls import reverse

from communities.models import Flag, Membership, ModerationAction, Post, ThreadPage, Visibility
from communities.permissions import can_read_community
from communities.services.communities import do_add_member
from communities.services.membership import NotAllowed
from communities.services.moderation import (
    do_flag_post,
    do_hide_post,
    do_lock_thread,
    do_move_thread,
    do_pin_thread,
    do_unhide_post,
    do_unlock_thread,
)
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
    response = client.post(reverse("flag-post", args=[post.pk]), {"reason": "spam", "detail": "Advert"})
    assert response.status_code == 302

    client.force_login(facilitator)
    queue = client.get(reverse("moderation-queue", args=[community.slug])).content.decode()
    assert "Spam or advertising" in queue and "miracle caddies" in queue and "Advert" in queue

    client.post(reverse("moderate-post", args=[community.slug, post.pk, "hide"]))
    post.refresh_from_db()
    assert post.is_hidden
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert "No flagged posts." in client.get(reverse("moderation-queue", args=[community.slug])).content.decode()

    client.post(reverse("moderate-post", args=[community.slug, post.pk, "unhide"]))
    post.refresh_from_db()
    assert not post.is_hidden


def test_dismissing_a_flag_leaves_the_post_alone(client, setting):
    community, facilitator, thread, post = setting
    do_flag_post(post, by=UserFactory(), reason="off_topic")
    client.force_login(facilitator)

    client.post(reverse("moderate-post", args=[community.slug, post.pk, "dismiss"]))

    flag = Flag.objects.get()
    assert flag.resolution == "Dismissed" and flag.resolved_by == facilitator
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_bad_flag_input_is_explained(client, setting):
    community, facilitator, thread, post = setting
    client.force_login(UserFactory())

    response = client.post(reverse("flag-post", args=[post.pk]), {"reason": "because", "detail": "keep me"})

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

    assert client.post(reverse("flag-post", args=[restricted_post.pk]), {"reason": "spam"}).status_code == 403
    assert client.post(reverse("flag-post", args=[private_post.pk]), {"reason": "spam"}).status_code == 404
    with pytest.raises(NotAllowed):
        do_flag_post(restricted_post, by=outsider, reason="spam")
    assert not Flag.objects.exists()


def test_members_cannot_moderate(client, setting):
    community, facilitator, thread, post = setting
    member = UserFactory()
    do_add_member(community, member)
    client.force_login(member)

    assert client.get(reverse("moderation-queue", args=[community.slug])).status_code == 403
    assert client.get(reverse("moderation-log", args=[community.slug])).status_code == 403
    assert client.post(reverse("moderate-post", args=[community.slug, post.pk, "hide"])).status_code == 403
    assert client.post(reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": "lock"}).status_code == 403
    with pytest.raises(NotAllowed):
        do_hide_post(post, by=member)
    assert not Post.objects.get(pk=post.pk).is_hidden
    assert not ThreadPage.objects.get(pk=thread.pk).is_locked


def test_lock_and_pin_are_recorded_in_the_audit_log(client, setting):
    community, facilitator, thread, post = setting
    client.force_login(facilitator)

    for action in ("lock", "pin", "unlock", "unpin", "lock"):
        assert client.post(reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": action}).status_code == 302

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
    private = CommunityFactory(title="Waste leads", visibility=Visibility.PRIVATE, owner=UserFactory())
    do_add_member(private, facilitator, role=Membership.Role.FACILITATOR)
    ThreadFactory(community=private, title="Food waste caddies")  # same slug waiting there
    outsider = UserFactory()
    assert thread in ThreadPage.objects.readable_by(outsider)
    client.force_login(facilitator)

    response = client.post(reverse("moderate-thread", args=[community.slug, thread.pk]),
                           {"action": "move", "to": private.pk})

    assert response.status_code == 302
    moved = ThreadPage.objects.get(pk=thread.pk)
    assert moved.community_id == private.pk
    assert moved.get_parent().pk == private.pk
    assert moved.slug == "food-waste-caddies-2"
    assert moved not in ThreadPage.objects.readable_by(outsider)
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

    with pytest.raises(NotAllowed, match="also facilitate"):
        do_move_thread(thread, to=elsewhere, by=facilitator)
    client.force_login(facilitator)
    page = client.post(reverse("moderate-thread", args=[community.slug, thread.pk]), {"action": "move", "to": elsewhere.pk})
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

    as_facilitator, as_member, as_visitor = render(facilitator), render(UserFactory()), render(AnonymousUser())
    assert reverse("moderate-thread", args=[community.slug, thread.pk]) in as_facilitator
    assert "Moderate this thread" not in as_member and reverse("flag-post", args=[post.pk]) in as_member
    assert "Flag" not in as_visitor


def test_people_banned_from_a_community_cannot_flag_its_posts(setting):
    from communities.services.membership import do_ban

    community, facilitator, thread, post = setting
    banned = UserFactory()
    do_ban(community, banned, by=facilitator)

    with pytest.raises(NotAllowed):
        do_flag_post(post, by=banned, reason="spam")
