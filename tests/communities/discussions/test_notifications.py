"""Watching, in-app notifications, mentions, immediate emails, digests and the dashboard."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from communities.discussions.services.notifications import (
    do_send_digests,
    do_set_email_frequency,
    do_set_watch,
    unread_count,
)
from communities.discussions.services.threads import do_reply, do_start_thread
from communities.models import (
    EmailFrequency,
    Membership,
    Notification,
    Visibility,
    Watch,
    WatchLevel,
)
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def community(home_page):
    return CommunityFactory(title="SEND leaders", visibility=Visibility.RESTRICTED)


def member(community, name=None, **kwargs):
    user = UserFactory(**({"display_name": name} if name else {}))
    MembershipFactory(community=community, user=user, **kwargs)
    return user


def test_replies_notify_watchers_and_the_author_but_not_muted_or_the_replier(
    community, django_capture_on_commit_callbacks
):
    author, watcher, muted, replier = (member(community) for _ in range(4))
    thread = ThreadFactory(community=community, author=author)
    do_set_watch(watcher, level=WatchLevel.WATCHING, thread=thread)
    do_set_watch(muted, level=WatchLevel.MUTED, community=community)
    with django_capture_on_commit_callbacks(execute=True):
        post = do_reply(thread=thread, author=replier, body="Our panel meets weekly.")

    notified = set(Notification.objects.filter(post=post).values_list("recipient__email", "kind"))
    assert notified == {(author.email, "reply"), (watcher.email, "reply")}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([author.email, watcher.email])
    assert "Our panel meets weekly." in mail.outbox[0].body


def test_mentions_notify_only_people_who_can_read_the_thread(community):
    author = member(community)
    reader = member(community, name="Rachel Green")
    outsider = UserFactory(display_name="Tom Hughes")
    thread = ThreadFactory(community=community, author=author)
    do_reply(
        thread=thread, author=author, body="What do @rachel-green and @tom-hughes think? `@not-me`"
    )

    assert list(
        Notification.objects.filter(kind="mention").values_list("recipient", flat=True)
    ) == [reader.pk]
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_notifications_page_unread_count_and_mark_read(client, community):
    author, watcher = member(community), member(community)
    do_set_watch(watcher, level=WatchLevel.WATCHING, community=community)
    thread = do_start_thread(
        community=community, author=author, title="Tribunal preparation", body="Tips?"
    )
    client.force_login(watcher)

    assert "(1 unread)" in client.get("/").content.decode()
    page = client.get(reverse("notifications")).content.decode()
    assert "Tribunal preparation" in page
    notification = Notification.objects.get(recipient=watcher)
    opening = reverse("open-notification", args=[notification.pk])
    assert f'<a href="{opening}">' in page  # the row opens it
    response = client.get(opening)
    assert response.status_code == 302 and response["Location"].startswith(thread.url)
    assert unread_count(watcher) == 0


def test_the_notifications_pages_and_header_count_only_what_the_member_may_still_read(
    client, community
):
    from communities.discussions.services.notifications import do_mark_read

    author, watcher = member(community), member(community)
    other = CommunityFactory(title="Closed board", visibility=Visibility.RESTRICTED)
    MembershipFactory(community=other, user=author)
    MembershipFactory(community=other, user=watcher)
    do_set_watch(watcher, level=WatchLevel.WATCHING, community=community)
    do_set_watch(watcher, level=WatchLevel.WATCHING, community=other)
    for n in range(35):
        do_start_thread(community=community, author=author, title=f"Question {n:02}", body="Tips?")
    do_start_thread(community=other, author=author, title="Board minutes", body="Confidential")
    Membership.objects.filter(user=watcher, community=other).update(status=Membership.Status.LEFT)
    oldest = Notification.objects.filter(recipient=watcher).order_by("created_at", "pk")[:5]
    do_mark_read(watcher, [n.pk for n in oldest])
    client.force_login(watcher)

    first = client.get(reverse("notifications")).content.decode()
    second = client.get(reverse("notifications") + "?page=2").content.decode()

    assert "(30 unread)" in first and "(30 unread)" in second  # the header: 35 readable, 5 read
    assert first.count("<li class=") == 30 and second.count("<li class=") == 5
    assert "“Question 34”" in first and "“Question 00”" in second
    # each row says what happened, where, and who did it
    assert "New thread in “Question 34”</a>" in first
    assert f"by {author.profile.display_name} · " in first
    assert "Board minutes" not in first + second
    assert first.count("<strong>New:</strong>") == 30 and "<strong>New:</strong>" not in second
    # a page past the last shows the last, with the same counts
    past = client.get(reverse("notifications") + "?page=9").content.decode()
    assert past.count("<li class=") == 5 and "“Question 00”" in past and "(30 unread)" in past


def test_losing_access_hides_notifications_and_keeps_them_out_of_digests(client, community):
    author, leaver = member(community), member(community)
    do_set_email_frequency(leaver, EmailFrequency.DAILY)
    do_set_watch(leaver, level=WatchLevel.WATCHING, community=community)
    do_start_thread(
        community=community, author=author, title="Confidential tribunal case", body="Details"
    )
    assert unread_count(leaver) == 1

    Membership.objects.filter(user=leaver).update(
        status=Membership.Status.LEFT
    )  # after the notification
    client.force_login(leaver)
    assert "Confidential tribunal case" not in client.get(reverse("notifications")).content.decode()
    assert unread_count(leaver) == 0
    mail.outbox.clear()
    do_send_digests()
    assert not [m for m in mail.outbox if "Confidential tribunal case" in m.body]


def test_daily_digest_is_grouped_by_community_and_sent_once(home_page):
    first = CommunityFactory(title="Alpha community")
    second = CommunityFactory(title="Beta community")
    reader = UserFactory()
    for community in (first, second):
        MembershipFactory(community=community, user=reader)
    do_set_email_frequency(reader, EmailFrequency.DAILY)
    ThreadFactory(community=first, title="Alpha question here")
    ThreadFactory(community=second, title="Beta question here")
    mail.outbox.clear()

    call_command("send_digests")

    digest = [m for m in mail.outbox if m.to == [reader.email]]
    assert len(digest) == 1
    body = digest[0].body
    assert (
        body.index("== Alpha community ==")
        < body.index("Alpha question here")
        < body.index("== Beta community ==")
    )
    mail.outbox.clear()
    do_send_digests()
    assert not [m for m in mail.outbox if m.to == [reader.email]]


def test_email_off_sends_nothing(community, django_capture_on_commit_callbacks):
    author, quiet = member(community), member(community)
    do_set_email_frequency(quiet, EmailFrequency.OFF)
    thread = ThreadFactory(community=community, author=quiet)
    with django_capture_on_commit_callbacks(execute=True):
        do_reply(thread=thread, author=author, body="Reply")
    assert Notification.objects.filter(recipient=quiet).exists()
    assert not [m for m in mail.outbox if m.to == [quiet.email]]


def test_watch_forms_and_levels(client, community):
    user = member(community)
    thread = ThreadFactory(community=community)
    client.force_login(user)
    client.post(reverse("watch-community", args=[community.slug]), {"level": "muted"})
    client.post(reverse("watch-thread", args=[thread.pk]), {"level": "watching"})
    assert Watch.objects.get(user=user, community=community).level == "muted"
    assert Watch.objects.get(user=user, thread=thread).level == "watching"

    outsider = UserFactory()
    client.force_login(outsider)
    assert (
        client.post(
            reverse("watch-community", args=[community.slug]), {"level": "watching"}
        ).status_code
        == 403
    )


def test_dashboard_shows_my_communities_new_watched_and_unanswered(client, community):
    user = member(community)
    client.force_login(user)
    client.get(reverse("dashboard"))  # first visit sets the bookmark
    thread = ThreadFactory(community=community, title="Unanswered EHCP question")
    PostFactory(thread=thread, author=user)  # replying watches the thread

    page = client.get(reverse("dashboard")).content.decode()
    assert "SEND leaders" in page
    assert page.count("Unanswered EHCP question") == 3  # new since last visit, watched, unanswered
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count("Unanswered EHCP question") == 2  # no longer new


def test_notifications_and_dashboard_need_sign_in(client, home_page):
    for name in ("notifications", "dashboard", "notification-settings"):
        assert client.get(reverse(name)).status_code == 302


def test_demo_member_has_notifications_and_a_dashboard(client, prepared_demo):
    from hub.services.demo import DEMO_EMAIL, load_demo

    load_demo()  # idempotent: loaded again on the demo as make run leaves it
    from django.contrib.auth import get_user_model

    amira = get_user_model().objects.get(username=DEMO_EMAIL)
    assert Notification.objects.filter(recipient=amira, kind="mention").count() == 1
    client.force_login(amira)
    assert "unread)" in client.get(reverse("dashboard")).content.decode()


def test_scheduling_digests_needs_a_backend_that_can_defer(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot schedule"):
        call_command("send_digests", "--schedule")


def test_daily_digest_task_runs_on_the_worker(home_page):
    from communities.discussions.tasks import next_digest_time, send_daily_digests

    community = CommunityFactory(title="Gamma community")
    reader = UserFactory()
    MembershipFactory(community=community, user=reader)
    do_set_email_frequency(reader, EmailFrequency.DAILY)
    ThreadFactory(community=community, title="Gamma question here")
    mail.outbox.clear()

    result = send_daily_digests.enqueue()

    assert result.return_value == 1
    assert "Gamma question here" in mail.outbox[0].body
    assert next_digest_time().hour == 7


def test_accepting_an_answer_notifies_its_author(community):
    author, answerer = member(community), member(community)
    thread = ThreadFactory(community=community, author=author)
    post = PostFactory(thread=thread, author=answerer)
    from communities.discussions.services.threads import do_accept_answer

    do_accept_answer(thread=thread, post=post, by=author)
    assert Notification.objects.filter(recipient=answerer, kind="accepted", post=post).exists()


def test_the_thread_page_shows_the_threads_own_watch_level_else_its_communitys(client, community):
    user = member(community)
    thread, other = ThreadFactory(community=community), ThreadFactory(community=community)
    client.force_login(user)
    client.post(reverse("watch-community", args=[community.slug]), {"level": "muted"})
    client.post(reverse("watch-thread", args=[thread.pk]), {"level": "watching"})
    Watch.objects.filter(user=user, thread=other).delete()  # starting it may have watched it

    assert '<option value="watching" selected>' in client.get(thread.url).content.decode()
    assert '<option value="muted" selected>' in client.get(other.url).content.decode()
