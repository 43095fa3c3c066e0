"""Discussions from the front end: start, reply, quote, edit, delete, vote, accept, limits."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import HelpfulVote, Membership, Post, PostRevision, ThreadPage, Visibility
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(home_page):
    return CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)


@pytest.fixture
def member(community):
    user = UserFactory(display_name="Amira Khan")
    MembershipFactory(community=community, user=user)
    return user


def start(client, community, **data):
    data = {
        "title": "Food waste collections",
        "body": "How did you *roll out* weekly food waste?",
        "idempotency_key": str(uuid.uuid4()),
        **data,
    }
    return client.post(reverse("new-thread", args=[community.slug]), data)


def test_member_starts_a_thread_from_the_front_end(client, community, member):
    client.force_login(member)
    assert client.get(reverse("new-thread", args=[community.slug])).status_code == 200

    response = start(client, community, tags="waste, food")

    thread = ThreadPage.objects.get(title="Food waste collections")
    assert response.status_code == 302 and response["Location"] == thread.url
    assert thread.live and thread.author == member and thread.community.pk == community.pk
    assert "<em>roll out</em>" in client.get(thread.url).content.decode()
    assert {t.name for t in thread.tags.all()} == {"waste", "food"}


def test_a_double_submitted_form_creates_one_thread_and_one_reply(client, community, member):
    client.force_login(member)
    key = str(uuid.uuid4())
    start(client, community, idempotency_key=key)
    start(client, community, idempotency_key=key)
    assert ThreadPage.objects.filter(title="Food waste collections").count() == 1

    thread = ThreadPage.objects.get()
    data = {"body": "We used caddies.", "idempotency_key": str(uuid.uuid4())}
    client.post(reverse("reply", args=[thread.pk]), data)
    client.post(reverse("reply", args=[thread.pk]), data)
    assert thread.posts.count() == 1
    thread.refresh_from_db()
    assert thread.reply_count == 1


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("Hi", "Some body", "between 5 and 200"),
        ("x" * 201, "Some body", "between 5 and 200"),
        ("A fine title", "   ", "Write something"),
        ("A fine title", "x" * 50001, "at most 50,000"),
    ],
)
def test_limits_give_a_clear_message_and_keep_the_text(
    client, community, member, title, body, message
):
    client.force_login(member)
    response = start(client, community, title=title, body=body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if body.strip() and len(body) < 100:
        assert body in html
    assert not ThreadPage.objects.exists()


def test_rate_limit_on_new_threads_and_replies(client, community, member, settings):
    settings.THREADS_PER_HOUR = 2
    settings.POSTS_PER_HOUR = 1
    client.force_login(member)
    start(client, community, title="First thread")
    start(client, community, title="Second thread")
    response = start(client, community, title="Third thread", body="Kept text")
    assert response.status_code == 429
    assert (
        "the most allowed" in response.content.decode() and "Kept text" in response.content.decode()
    )

    thread = ThreadPage.objects.first()
    client.post(
        reverse("reply", args=[thread.pk]), {"body": "one", "idempotency_key": str(uuid.uuid4())}
    )
    response = client.post(
        reverse("reply", args=[thread.pk]), {"body": "two", "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 429


def test_locked_thread_left_community_and_expired_session_keep_the_text(client, community, member):
    thread = ThreadFactory(community=community)
    client.force_login(member)
    ThreadPage.objects.filter(pk=thread.pk).update(is_locked=True)
    response = client.post(reverse("reply", args=[thread.pk]), {"body": "My careful answer"})
    assert response.status_code == 403
    assert (
        "locked" in response.content.decode() and "My careful answer" in response.content.decode()
    )

    ThreadPage.objects.filter(pk=thread.pk).update(is_locked=False)
    Membership.objects.filter(user=member).update(status=Membership.Status.LEFT)
    response = client.post(reverse("reply", args=[thread.pk]), {"body": "My careful answer"})
    assert response.status_code == 403
    assert "You have left this community" in response.content.decode()
    assert "My careful answer" in response.content.decode()

    client.logout()
    response = client.post(reverse("reply", args=[thread.pk]), {"body": "My careful answer"})
    assert response.status_code == 403
    assert "session may have expired" in response.content.decode()
    assert "My careful answer" in response.content.decode()
    assert not Post.objects.exists()


def test_quote_edit_with_history_and_soft_delete(client, community, member):
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread, author=member, body="Caddies cost **£4** each.")
    client.force_login(member)

    page = client.get(f"{thread.url}?quote={post.pk}").content.decode()
    assert "Amira Khan wrote:" in page and "&gt; Caddies cost **£4** each." in page

    response = client.post(reverse("edit-post", args=[post.pk]), {"body": "Caddies cost £5 each."})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Caddies cost £5 each." and post.edited_at
    assert PostRevision.objects.get(post=post).body == "Caddies cost **£4** each."
    history = client.get(reverse("post-history", args=[post.pk])).content.decode()
    assert "Caddies cost **£4** each." in history

    client.post(reverse("delete-post", args=[post.pk]))
    post.refresh_from_db()
    assert post.is_deleted
    page = client.get(thread.url).content.decode()
    assert "This reply was deleted." in page and "£5" not in page


def test_other_members_cannot_edit_or_delete(client, community, member):
    post = PostFactory(thread=ThreadFactory(community=community), body="Mine")
    client.force_login(member)
    assert client.post(reverse("edit-post", args=[post.pk]), {"body": "Yours"}).status_code == 403
    assert client.post(reverse("delete-post", args=[post.pk])).status_code == 403
    post.refresh_from_db()
    assert post.body == "Mine" and not post.is_deleted


def test_helpful_votes_one_per_member_and_not_for_own_post(client, community, member):
    post = PostFactory(thread=ThreadFactory(community=community))
    client.force_login(member)
    client.post(reverse("helpful", args=[post.pk]))
    assert HelpfulVote.objects.filter(post=post).count() == 1
    assert "1 found this helpful" in client.get(post.thread.url).content.decode()
    client.post(reverse("helpful", args=[post.pk]))  # a second press withdraws the vote
    assert HelpfulVote.objects.filter(post=post).count() == 0

    own = PostFactory(thread=post.thread, author=member)
    assert client.post(reverse("helpful", args=[own.pk])).status_code == 403


def test_accepted_answer_by_author_or_facilitator_only(client, community, member):
    author = UserFactory()
    thread = ThreadFactory(community=community, author=author)
    post = PostFactory(thread=thread)
    client.force_login(member)
    assert (
        client.post(reverse("accept-answer", args=[thread.pk]), {"post": post.pk}).status_code
        == 403
    )

    client.force_login(author)
    client.post(reverse("accept-answer", args=[thread.pk]), {"post": post.pk})
    thread.refresh_from_db()
    assert thread.accepted_post == post

    facilitator = UserFactory()
    MembershipFactory(community=community, user=facilitator, role="facilitator")
    client.force_login(facilitator)
    client.post(reverse("accept-answer", args=[thread.pk]), {"post": post.pk, "action": "clear"})
    thread.refresh_from_db()
    assert thread.accepted_post is None


def test_thread_list_filters_and_paginates(client, community, member, settings):
    settings.COMMUNITY_THREADS_PER_PAGE = 2
    answered = ThreadFactory(community=community, title="Answered one", tags=["bins"])
    reply = PostFactory(thread=answered)
    from communities.discussions.services.threads import do_accept_answer

    do_accept_answer(thread=answered, post=reply)
    ThreadFactory(community=community, title="Open question one")
    ThreadFactory(community=community, title="Open question two")

    unanswered = client.get(community.url, {"status": "unanswered"}).content.decode()
    assert "Open question one" in unanswered and "Answered one" not in unanswered
    answered_page = client.get(community.url, {"status": "answered"}).content.decode()
    assert "Answered one" in answered_page and "Open question" not in answered_page
    by_tag = client.get(community.url, {"tag": "bins"}).content.decode()
    assert "Answered one" in by_tag and "Open question" not in by_tag
    first = client.get(community.url).content.decode()
    assert "Page 1 of 2" in first
    assert "Answered one" in client.get(community.url, {"page": 2}).content.decode()


def test_attachments_type_and_size_checked_and_served_only_to_readers(client, home_page, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    community = CommunityFactory(visibility=Visibility.RESTRICTED)
    member = UserFactory()
    MembershipFactory(community=community, user=member)
    thread = ThreadFactory(community=community)
    client.force_login(member)

    bad = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client.post(
        reverse("reply", args=[thread.pk]), {"body": "see file", "attachment": bad}
    )
    assert response.status_code == 400 and "must be one of these types" in response.content.decode()
    big = SimpleUploadedFile("big.pdf", b"x" * 2000, content_type="application/pdf")
    response = client.post(
        reverse("reply", args=[thread.pk]), {"body": "see file", "attachment": big}
    )
    assert response.status_code == 400 and "at most" in response.content.decode()

    good = SimpleUploadedFile("costs.csv", b"a,b\n1,2\n", content_type="text/csv")
    client.post(
        reverse("reply", args=[thread.pk]),
        {"body": "see file", "attachment": good, "idempotency_key": str(uuid.uuid4())},
    )
    attachment = Post.objects.get().attachments.get()
    url = reverse("attachment", args=[attachment.pk])
    assert url in client.get(thread.url).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"a,b\n1,2\n"

    client.logout()
    assert client.get(url).status_code == 403
    # Wagtail's own document URL does not serve it either.
    assert client.get(attachment.document.url).status_code != 200


def test_markdown_tables_code_and_links(client, community, member):
    client.force_login(member)
    body = "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n- one\n- two\n\n> quoted\n\n[site](https://example.org)"
    start(client, community, body=body)
    html = client.get(ThreadPage.objects.get().url).content.decode()
    for fragment in (
        "<table>",
        "<pre><code>code",
        "<li>one</li>",
        "<blockquote>",
        '<a href="https://example.org" rel="nofollow ugc">site</a>',
    ):
        assert fragment in html


def test_thread_edits_keep_wagtail_revisions(client, community, member):
    client.force_login(member)
    start(client, community, title="First title", body="First body")
    thread = ThreadPage.objects.get()
    response = client.post(
        reverse("edit-thread", args=[thread.pk]), {"title": "Better title", "body": "Better body"}
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert (thread.title, thread.body) == ("Better title", "Better body")
    assert thread.revisions.count() == 2
    assert thread.revisions.order_by("created_at").first().as_object().body == "First body"

    other = UserFactory()
    MembershipFactory(community=community, user=other)
    client.force_login(other)
    assert (
        client.post(
            reverse("edit-thread", args=[thread.pk]), {"title": "Hijacked", "body": "x"}
        ).status_code
        == 403
    )


def test_thread_slugs_are_unique_and_never_a_reserved_path(community, member):
    from communities.discussions.services.threads import do_start_thread

    first = do_start_thread(community=community, author=member, title="Watch", body="x")
    second = do_start_thread(community=community, author=member, title="Watch", body="y")
    assert (first.slug, second.slug) == ("watch-thread", "watch-thread-2")


def test_hidden_posts_are_shown_only_to_facilitators_on_every_surface(client, community, member):
    thread = ThreadFactory(community=community)
    hidden = PostFactory(thread=thread, body="Hidden rude remark")
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    client.force_login(member)
    for url in (
        thread.url,
        reverse("edit-post", args=[hidden.pk]),
        reverse("post-history", args=[hidden.pk]),
        reverse("thread-feed-rss", args=[thread.pk]),
        f"/api/threads/{thread.pk}/posts",
        f"{thread.url}?quote={hidden.pk}",
    ):
        assert "Hidden rude remark" not in client.get(url).content.decode(), url

    facilitator = UserFactory()
    MembershipFactory(community=community, user=facilitator, role="facilitator")
    client.force_login(facilitator)
    page = client.get(thread.url).content.decode()
    assert "hidden by a facilitator" in page and "Hidden rude remark" in page


@pytest.fixture
def mentioned(community):
    """Three members, one for each profile visibility, mentioned in a thread's opening post and a reply."""
    from communities.models import ProfileVisibility

    people = {
        "public": UserFactory(display_name="Pat Public", visibility=ProfileVisibility.PUBLIC),
        "members": UserFactory(display_name="Mo Members", visibility=ProfileVisibility.MEMBERS),
        "private": UserFactory(display_name="Pri Private", visibility=ProfileVisibility.PRIVATE),
    }
    thread = ThreadFactory(community=community, body="Over to @pat-public and @pri-private.")
    PostFactory(thread=thread, body="I agree with @mo-members, @pri-private and @pat-public.")
    return thread, people


def mention_links(html: str) -> dict[str, int]:
    """How many profile links each mentioned handle got on the page."""
    import re

    return {
        handle: len(re.findall(rf'<a class="mention" href="/members/\d+/">@{handle}</a>', html))
        for handle in ("pat-public", "mo-members", "pri-private")
    }


@pytest.mark.parametrize(
    ("reader", "linked"),
    [
        ("anonymous", {"pat-public": 2, "mo-members": 0, "pri-private": 0}),
        ("member", {"pat-public": 2, "mo-members": 1, "pri-private": 0}),
        ("the private member", {"pat-public": 2, "mo-members": 1, "pri-private": 2}),
    ],
)
def test_mentions_link_to_profiles_the_reader_may_see(client, mentioned, reader, linked):
    thread, people = mentioned
    if reader == "member":
        client.force_login(UserFactory())
    elif reader == "the private member":
        client.force_login(people["private"])

    page = client.get(thread.url).content.decode()

    assert mention_links(page) == linked
    assert f'href="/members/{people["public"].pk}/">@pat-public</a>' in page
    for handle, count in linked.items():  # the others keep today's highlight, without a link
        assert (
            page.count(f'<span class="mention">@{handle}</span>')
            == (2 if handle != "mo-members" else 1) - count
        )


def test_a_mention_that_names_two_members_is_not_linked(client, community):
    from communities.models import ProfileVisibility

    for _ in range(2):
        UserFactory(display_name="Sam Smith", visibility=ProfileVisibility.PUBLIC)
    thread = ThreadFactory(community=community, body="Thanks @sam-smith")

    page = client.get(thread.url).content.decode()

    assert '<span class="mention">@sam-smith</span>' in page and 'class="mention" href' not in page
