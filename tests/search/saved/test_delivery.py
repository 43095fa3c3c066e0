"""New content reaches the saved searches that find it, as the member's own search would, once.

Content is published through the services inside ``django_capture_on_commit_callbacks`` so the
tasks queued after the commit (indexing, then matching) run as the worker would run them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from communities.discussions.services.moderation import do_hide_thread
from communities.discussions.services.notifications import do_set_email_frequency
from communities.discussions.services.threads import do_reply, do_start_thread
from communities.models import EmailFrequency, Notification, Visibility
from communities.people.services.communities import do_add_member
from communities.people.services.membership import do_leave
from communities.permissions import readable_notifications
from search.models import SavedSearch
from search.saved.services import (
    check_save_search,
    do_match_new_content,
    do_run_due_saved_searches,
    do_save_search,
)
from tests.factories import CommunityFactory, GoodPracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def save(user, frequency="immediate", **params) -> SavedSearch:
    data = {"name": params.pop("name", "Recycling"), "frequency": frequency, **params}
    return do_save_search(user, check_save_search(user, data))


def headlines(user) -> list[str]:
    return list(
        readable_notifications(user)
        .filter(kind=Notification.Kind.SAVED_SEARCH)
        .order_by("pk")
        .values_list("headline", flat=True)
    )


def start(community, author, title, body="How do you keep it clean?", capture=None):
    with capture(execute=True):
        return do_start_thread(community=community, author=author, title=title, body=body)


@pytest.fixture
def place(backend):
    owner = UserFactory()
    community = CommunityFactory(owner=owner)
    return owner, community


def test_a_new_thread_that_the_search_finds_is_delivered_once(
    place, django_capture_on_commit_callbacks
):
    owner, community = place
    reader = UserFactory()
    do_set_email_frequency(reader, EmailFrequency.IMMEDIATE)
    saved = save(reader, q="recycling")
    mail.outbox.clear()

    thread = start(
        community, owner, "Food waste recycling rounds", capture=django_capture_on_commit_callbacks
    )
    start(community, owner, "Parking permits online", capture=django_capture_on_commit_callbacks)

    assert headlines(reader) == [
        "New for your saved search “Recycling”: Food waste recycling rounds"
    ]
    notification = Notification.objects.get(recipient=reader)
    assert notification.thread_id == thread.pk
    assert notification.alert == f"saved-search:{saved.pk}"
    emailed = [m for m in mail.outbox if m.to == [reader.email]]
    assert len(emailed) == 1 and "Food waste recycling rounds" in emailed[0].subject
    # run again (a task retried after its worker died): nothing twice
    assert do_match_new_content("thread", [thread.pk]) == 0
    assert len(headlines(reader)) == 1


def test_replies_and_case_studies_are_delivered_and_filters_apply(
    place, django_capture_on_commit_callbacks
):
    owner, community = place
    reader = UserFactory()
    save(reader, name="Any", q="contamination")
    save(reader, name="Only case studies", q="contamination", type=["good_practice"])
    thread = start(
        community, owner, "Bin collections in winter", capture=django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_reply(thread=thread, author=owner, body="We cut contamination by a third with tags.")
    with django_capture_on_commit_callbacks(execute=True):
        GoodPracticeFactory(
            title="Tagging bins to reduce contamination",
            summary="Contamination fell after bin tagging.",
        )

    assert sorted(headlines(reader)) == [
        "New for your saved search “Any”: Reply in “Bin collections in winter”",
        "New for your saved search “Any”: Tagging bins to reduce contamination",
        "New for your saved search “Only case studies”: Tagging bins to reduce contamination",
    ]
    reply = Notification.objects.filter(recipient=reader, post__isnull=False).get()
    assert reply.thread_id == thread.pk


def test_nothing_new_that_matches_sends_nothing_and_own_content_is_not_delivered(
    place, django_capture_on_commit_callbacks
):
    owner, community = place
    save(owner, q="recycling")
    reader = UserFactory()
    save(reader, q="allotments")

    start(community, owner, "Recycling targets", capture=django_capture_on_commit_callbacks)

    assert headlines(owner) == [] and headlines(reader) == []


def test_a_restricted_community_reaches_its_members_only(
    backend, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    community = CommunityFactory(owner=owner, visibility=Visibility.RESTRICTED)
    member, outsider = UserFactory(), UserFactory()
    do_add_member(community, member)
    save(member, q="safeguarding")
    save(outsider, q="safeguarding")

    start(community, owner, "Safeguarding referrals", capture=django_capture_on_commit_callbacks)

    assert len(headlines(member)) == 1
    assert Notification.objects.filter(recipient=outsider).count() == 0


def test_daily_searches_deliver_what_is_new_since_they_last_looked_and_not_after_leaving(
    backend, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    open_community = CommunityFactory(owner=owner)
    private = CommunityFactory(owner=owner, visibility=Visibility.PRIVATE)
    stayer, leaver = UserFactory(), UserFactory()
    for user in (stayer, leaver):
        do_add_member(private, user)
    old = start(
        open_community, owner, "Old housing repairs", capture=django_capture_on_commit_callbacks
    )
    stayed = save(stayer, frequency="daily", name="Housing", q="housing")
    left = save(leaver, frequency="weekly", name="Housing", q="housing")
    earlier = timezone.now() - timedelta(days=8)
    SavedSearch.objects.filter(pk__in=[stayed.pk, left.pk]).update(last_checked_at=earlier)
    from communities.models import ThreadPage

    ThreadPage.objects.filter(pk=old.pk).update(first_published_at=earlier - timedelta(days=1))
    start(open_community, owner, "Housing allocations", capture=django_capture_on_commit_callbacks)
    start(private, owner, "Housing budget (private)", capture=django_capture_on_commit_callbacks)
    hidden = start(
        open_community, owner, "Housing complaint", capture=django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_hide_thread(hidden, by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        do_leave(leaver, private)
    assert headlines(stayer) == []  # daily: nothing until the daily run

    with django_capture_on_commit_callbacks(execute=True):
        made = do_run_due_saved_searches()

    assert sorted(headlines(stayer)) == [
        "New for your saved search “Housing”: Housing allocations",
        "New for your saved search “Housing”: Housing budget (private)",
    ]
    assert headlines(leaver) == ["New for your saved search “Housing”: Housing allocations"]
    assert Notification.objects.filter(recipient=leaver).count() == 1
    assert made == 3
    # the next run finds nothing new: nothing is sent
    assert do_run_due_saved_searches(timezone.now() + timedelta(days=8)) == 0


def test_a_case_study_found_then_unpublished_is_no_longer_told(
    place, django_capture_on_commit_callbacks
):
    reader = UserFactory()
    save(reader, name="Case studies", q="contamination", type=["good_practice"])
    with django_capture_on_commit_callbacks(execute=True):
        page = GoodPracticeFactory(
            title="Tagging bins to reduce contamination",
            summary="Contamination fell after bin tagging.",
        )
    assert headlines(reader) == [
        "New for your saved search “Case studies”: Tagging bins to reduce contamination"
    ]

    page.unpublish()  # a draft again: the notification stays, but is never shown or sent

    assert headlines(reader) == []


def test_filters_alone_and_with_words_deliver_what_the_filtered_search_finds(
    place, django_capture_on_commit_callbacks
):
    owner, community = place
    elsewhere = CommunityFactory(owner=owner)
    reader = UserFactory()
    save(reader, name="This community", community=[str(community.pk)])
    save(reader, name="Tagged", q="rounds", tag=["food waste"])
    save(reader, name="Replies only", q="rounds", type=["post"])

    here = start(
        community, owner, "Collection rounds in winter", capture=django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_start_thread(
            community=elsewhere,
            author=owner,
            title="Food waste rounds",
            body="Caddies and liners.",
            tags=["food waste"],
        )
    with django_capture_on_commit_callbacks(execute=True):
        do_reply(thread=here, author=owner, body="We changed our rounds in March.")

    assert sorted(headlines(reader)) == [
        "New for your saved search “Replies only”: Reply in “Collection rounds in winter”",
        "New for your saved search “Tagged”: Food waste rounds",
        "New for your saved search “This community”: Collection rounds in winter",
        "New for your saved search “This community”: Reply in “Collection rounds in winter”",
    ]


def test_a_member_who_left_a_restricted_community_hears_nothing_more_from_it(
    backend, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    community = CommunityFactory(owner=owner, visibility=Visibility.RESTRICTED)
    stayer, leaver = UserFactory(), UserFactory()
    for user in (stayer, leaver):
        do_add_member(community, user)
        save(user, q="safeguarding")
    start(community, owner, "Safeguarding audit", capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        do_leave(leaver, community)

    start(community, owner, "Safeguarding referrals", capture=django_capture_on_commit_callbacks)

    assert headlines(stayer) == [
        "New for your saved search “Recycling”: Safeguarding audit",
        "New for your saved search “Recycling”: Safeguarding referrals",
    ]
    told = Notification.objects.filter(recipient=leaver).values_list("headline", flat=True)
    assert list(told) == ["New for your saved search “Recycling”: Safeguarding audit"]


@pytest.mark.parametrize(
    "q",
    [
        "recycling",
        "caddy",
        "food -garden",
        "food NOT garden",
        '"food waste"',
        "bins OR caddies",
        "garden waste",
        "rubbish",
        "-recycling",
        "...",
    ],
)
def test_a_saved_search_delivers_exactly_what_the_search_page_finds(
    place, backend, request, django_capture_on_commit_callbacks, q
):
    """Whatever the words (synonyms, phrases, exclusions, operators, nothing to look for), what is
    delivered is what the member's own search finds among the new threads at that moment."""
    from search.saved.matching import Query
    from search.services.searching import do_search

    owner, community = place
    reader = UserFactory()
    saved = SavedSearch.objects.create(user=reader, name="Words", q=q, frequency="immediate")
    titles = [
        ("Food waste caddies", "Liners for the kitchen caddy."),
        ("Garden waste and food waste", "One round or two?"),
        ("Recycling centre bookings", "Booking slots for the tip."),
        ("Bins on collection day", "Where residents leave their bins."),
    ]
    threads = [
        start(community, owner, title, body, capture=django_capture_on_commit_callbacks)
        for title, body in titles
    ]

    if backend == "elasticsearch":  # searchable, as the node makes it within a second
        request.getfixturevalue("search_index").sync()
    found = do_search(reader, Query.of(q, {}).params())
    wanted = {hit.doc_id for hit in found.hits} & {f"thread-{t.pk}" for t in threads}
    delivered = set(
        Notification.objects.filter(recipient=reader, alert=f"saved-search:{saved.pk}").values_list(
            "thread_id", flat=True
        )
    )
    assert {f"thread-{pk}" for pk in delivered} == wanted
