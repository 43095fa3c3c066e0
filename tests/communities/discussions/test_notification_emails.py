"""Notification and digest emails go through the hub's one sender: once each, with clean headers."""

import pytest
from django.core import mail

from communities.discussions.services.notifications import (
    do_send_digests,
    do_send_notification_emails,
    do_set_email_frequency,
    do_set_watch,
)
from communities.discussions.services.threads import do_reply
from communities.models import EmailFrequency, Notification, ThreadPage, Visibility, WatchLevel
from hub.floor.models import OutboundEmail
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(home_page):
    return CommunityFactory(title="SEND leaders", visibility=Visibility.RESTRICTED)


def member(community):
    user = UserFactory()
    MembershipFactory(community=community, user=user)
    return user


def test_a_thread_title_with_a_line_break_still_makes_a_one_line_subject(
    community, django_capture_on_commit_callbacks
):
    author, watcher, replier = member(community), member(community), member(community)
    thread = ThreadFactory(community=community, author=author)
    ThreadPage.objects.filter(pk=thread.pk).update(title="Tribunal\r\npreparation\x07 notes")
    thread.refresh_from_db()
    do_set_watch(watcher, level=WatchLevel.WATCHING, thread=thread)

    with django_capture_on_commit_callbacks(execute=True):
        do_reply(thread=thread, author=replier, body="We meet weekly.")

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["New reply: Tribunal preparation notes"] * 2
    assert all("We meet weekly." in m.body for m in mail.outbox)


def test_a_notification_email_sent_once_is_not_sent_again_when_the_task_runs_again(
    community, django_capture_on_commit_callbacks
):
    author, replier = member(community), member(community)
    thread = ThreadFactory(community=community, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        do_reply(thread=thread, author=replier, body="First reply")
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert len(mail.outbox) == 1
    Notification.objects.update(emailed_at=None)  # as if the worker died before recording it

    assert do_send_notification_emails(ids) == 1

    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.filter(key=f"notification:{ids[0]}").count() == 1


def test_a_digest_run_again_after_a_crash_does_not_send_twice(
    community, django_capture_on_commit_callbacks
):
    author, reader = member(community), member(community)
    do_set_email_frequency(reader, EmailFrequency.DAILY)
    do_set_watch(reader, level=WatchLevel.WATCHING, community=community)
    thread = ThreadFactory(community=community, author=author)
    do_reply(thread=thread, author=author, body="News")

    assert do_send_digests() == 1
    reader.notification_settings.last_digest_at = None  # the crash came before this was saved
    reader.notification_settings.save()
    Notification.objects.update(emailed_at=None)
    do_send_digests()

    assert [m.to for m in mail.outbox] == [[reader.email]]
