"""The daily digest reads like a newsletter and never tells anything twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from communities.discussions.services.notifications import (
    do_send_digest,
    do_send_digests,
    do_set_email_frequency,
    do_set_watch,
)
from communities.discussions.services.threads import do_reply, do_start_thread
from communities.models import EmailFrequency, Notification, Visibility, WatchLevel
from tests.communities.discussions.email_support import _test_alert  # noqa: F401
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FOOD_WASTE = "How are you preparing for weekly food waste collections?"


@pytest.fixture
def community(home_page):
    return CommunityFactory(title="Waste and recycling", visibility=Visibility.RESTRICTED)


def member(community, display_name=None):
    user = UserFactory(**({"display_name": display_name} if display_name else {}))
    MembershipFactory(community=community, user=user)
    return user


def daily_reader(community):
    reader = member(community, "Dana Reader")
    do_set_email_frequency(reader, EmailFrequency.DAILY)
    do_set_watch(reader, level=WatchLevel.WATCHING, community=community)
    return reader


def digests_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def html_of(message):
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def test_replies_to_one_thread_are_one_item_with_the_newest_excerpt_as_plain_text(community):
    reader = daily_reader(community)
    author, other = member(community), member(community, "Sam Other")
    thread = do_start_thread(
        community=community, author=author, title=FOOD_WASTE, body="We start in April."
    )
    for body in ("We bought caddies.", "Crews are trained.", "Leaflets went out."):
        do_reply(thread=thread, author=author, body=body)
    do_reply(
        thread=thread, author=other, body="**We** moved to [weekly rounds](https://example.org)"
    )
    mail.outbox.clear()

    assert do_send_digests() == 1

    (digest,) = digests_to(reader)
    assert f'New thread with 4 new replies: "{FOOD_WASTE}"' in digest.body
    assert 'Newest, from Sam Other: "We moved to weekly rounds"' in digest.body
    assert "**" not in digest.body and "](" not in digest.body
    assert digest.body.count(FOOD_WASTE) == 1
    html = html_of(digest)
    assert "New thread with 4 new replies:" in html
    assert "We moved to weekly rounds" in html and "<strong>" not in html


def test_what_involves_the_member_comes_first_then_the_rest_by_community(community):
    reader = daily_reader(community)
    other = member(community)
    others_thread = do_start_thread(
        community=community, author=other, title="Garden waste charges", body="What do you charge?"
    )
    own = do_start_thread(
        community=community, author=reader, title="Bulky waste bookings", body="Online or phone?"
    )
    mentioned = do_start_thread(
        community=community, author=other, title="Depot safety", body="Anyone @dana-reader?"
    )
    quoted = do_start_thread(
        community=community, author=other, title="Street cleansing rotas", body="How often?"
    )
    theirs = do_reply(thread=quoted, author=reader, body="Fortnightly.")
    do_reply(thread=quoted, author=other, body="Why not weekly?", quoted_post=theirs)
    do_reply(thread=own, author=other, body="Online only, since 2023.")
    do_reply(thread=others_thread, author=other, body="£50 a year.")
    mail.outbox.clear()

    do_send_digest(reader)

    (digest,) = digests_to(reader)
    body = digest.body
    assert (
        body.index("FOR YOU")
        < body.index(f'"{mentioned.title}"')
        < body.index(f'"{quoted.title}"')
        < body.index(f'"{own.title}"')
        < body.index("== Waste and recycling ==")
        < body.index(f'"{others_thread.title}"')
    )
    assert "(Waste and recycling; mentioned you)" in body
    assert "; replied to you)" in body and "; your thread)" in body
    html = html_of(digest)
    assert html.index("For you</h2>") < html.index("In your communities</h2>")


def test_alerts_have_their_own_section_grouped_by_alert(community, test_alert):
    reader = daily_reader(community)
    for area in ("Testshire", "Exampleton"):
        Notification.objects.create(
            recipient=reader,
            kind=Notification.Kind.FIGURES,
            headline=f"Household waste recycled rose in {area}",
            link=f"/data/areas/{area.lower()}/",
            alert=test_alert.name(34),
        )
    thread = do_start_thread(
        community=community, author=member(community), title="Fly-tipping", body="Cameras?"
    )
    Notification.objects.create(
        recipient=reader,
        kind=Notification.Kind.SAVED_SEARCH,
        thread=thread,
        alert=test_alert.name(12),
    )

    do_send_digest(reader)

    (digest,) = digests_to(reader)
    body = digest.body
    alerts = body[body.index("YOUR ALERTS") :]
    assert "New figures you follow (2):" in alerts
    assert "Household waste recycled rose in Testshire: http://" in alerts
    assert "/data/areas/exampleton/" in alerts
    assert "New results for your saved search:\n  Fly-tipping: http://" in alerts
    assert alerts.count("Stop this alert: http") == 2
    html = html_of(digest)
    assert "Your alerts</h2>" in html and "New figures you follow (2)</h3>" in html


def test_a_digest_after_immediate_emails_repeats_nothing(
    community, django_capture_on_commit_callbacks
):
    reader = member(community)
    do_set_watch(reader, level=WatchLevel.WATCHING, community=community)
    author = member(community)
    with django_capture_on_commit_callbacks(execute=True):
        thread = do_start_thread(community=community, author=author, title=FOOD_WASTE, body="?")
        do_reply(thread=thread, author=author, body="Caddies first.")
    assert len(digests_to(reader)) == 2  # straight away: the thread, then the reply
    do_set_email_frequency(reader, EmailFrequency.DAILY)

    assert do_send_digest(reader) is False

    assert len(digests_to(reader)) == 2


def test_two_digests_never_tell_the_same_thing(community):
    reader = daily_reader(community)
    author = member(community)
    first = do_start_thread(community=community, author=author, title=FOOD_WASTE, body="?")
    do_reply(thread=first, author=author, body="Caddies first.")
    start = timezone.now()
    assert do_send_digest(reader, now=start)
    second = do_start_thread(
        community=community, author=author, title="Garden waste charges", body="?"
    )

    assert do_send_digest(reader, now=start + timedelta(days=1))
    assert do_send_digest(reader, now=start + timedelta(days=2)) is False

    one, two = digests_to(reader)
    assert FOOD_WASTE in one.body and FOOD_WASTE not in two.body
    assert second.title in two.body and second.title not in one.body


def test_a_digest_run_twice_at_once_sends_it_once(community):
    reader = daily_reader(community)
    do_start_thread(community=community, author=member(community), title=FOOD_WASTE, body="?")
    now = timezone.now()

    assert do_send_digests(now) == 1
    assert do_send_digests(now) == 0

    assert len(digests_to(reader)) == 1


def _digest_queries(community, reader, threads: int, test_alert) -> tuple[int, list[str]]:
    """The queries of building ``reader``'s digest over ``threads`` new threads, each with a reply
    (the first after 25 earlier ones, so its link is on the thread's second page) and an alert
    about that reply; and the digest's links."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communities.benchmarks.data import add_replies
    from communities.discussions.queries import post_url
    from communities.discussions.services.notifications import build_digest, site_link

    author = member(community)
    since = timezone.now() - timedelta(days=1)
    expected = []
    for n in range(threads):
        thread = do_start_thread(
            community=community, author=author, title=f"Thread {n}", body="What do you do?"
        )
        if n == 0:
            add_replies(thread, [author], 25)
        reply = do_reply(thread=thread, author=author, body=f"Reply {n}")
        Notification.objects.create(
            recipient=reader,
            kind=Notification.Kind.SAVED_SEARCH,
            alert=test_alert.name(n),
            thread=thread,
            post=reply,
            headline=f"New for your saved search: Reply {n}",
        )
        expected.append(post_url(reply))
    with CaptureQueriesContext(connection) as captured:
        digest = build_digest(reader, since)
        links = [item.link for items in digest.communities.values() for item in items]
        links += [link for alert in digest.alerts for _subject, link in alert.items]
    assert len(digest.alerts) == threads
    # each reply's link, in its thread's item and in its alert, as ``post_url`` makes it alone
    assert sorted(links) == sorted(site_link(url) for url in expected * 2)
    return len(captured), links


def test_a_digest_runs_as_many_queries_for_20_threads_as_for_3(community, test_alert):
    reader = daily_reader(community)
    small, small_links = _digest_queries(community, reader, 3, test_alert)
    Notification.objects.filter(recipient=reader).update(emailed_at=timezone.now())
    other = CommunityFactory(title="Highways", visibility=Visibility.RESTRICTED)
    MembershipFactory(community=other, user=reader)
    do_set_watch(reader, level=WatchLevel.WATCHING, community=other)
    large, large_links = _digest_queries(other, reader, 20, test_alert)

    assert small == large
    # the reply after 25 others is linked on its thread's second page, in the thread and the alert
    assert sum("?page=2#post-" in link for link in small_links) == 2
    assert sum("?page=2#post-" in link for link in large_links) == 2
