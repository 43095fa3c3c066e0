"""A case study's workflow tells the people it concerns: reviewers when it waits for them, its
author when it is published or sent back (with the reviewer's comment and a link), its author and
contact when someone asks a question; in the app, and by email as each one chose."""

import pytest
from django.core import mail

from communities.discussions.services.notifications import do_send_digest, do_set_email_frequency
from communities.good_practice.services import (
    do_ask_question,
    do_create_good_practice,
    do_review_good_practice,
)
from communities.models import EmailFrequency, GoodPracticePage, Notification
from tests.factories import PASSWORD, UserFactory, good_practice_editor

pytestmark = pytest.mark.django_db


def submit(author, title="Bin tagging cut contamination"):
    return do_create_good_practice(
        author=author,
        data={
            "title": title,
            "summary": "Crews tagged contaminated bins.",
            "problem": "Contamination was 15%.",
            "approach": "Tag, leave and revisit.",
            "outcomes": "Contamination fell to 9%.",
        },
        submit=True,
    )


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_reviewers_are_told_a_case_study_waits_for_them_and_nobody_else_is(
    home_page, django_capture_on_commit_callbacks
):
    editor, author, bystander = good_practice_editor(), UserFactory(), UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        page = submit(author)

    told = Notification.objects.filter(kind=Notification.Kind.REVIEW, good_practice=page)
    assert [n.recipient for n in told] == [editor]
    assert not Notification.objects.filter(recipient__in=[author, bystander]).exists()
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert mail.outbox[0].subject == (
        "A case study is waiting for your review: Bin tagging cut contamination"
    )
    assert f"/good-practice/submissions/{page.pk}/" in mail.outbox[0].body


def test_the_author_hears_it_is_published_with_the_comment_and_a_link_to_the_live_page(
    home_page, client, django_capture_on_commit_callbacks
):
    editor, author = good_practice_editor(), UserFactory()
    page = submit(author)

    with django_capture_on_commit_callbacks(execute=True):
        do_review_good_practice(page, editor, approve=True, comment="Clear and well evidenced.")

    page = GoodPracticePage.objects.get(pk=page.pk)
    email = mail.outbox[-1]
    assert email.to == [author.email]
    assert email.subject == "Your case study was published: Bin tagging cut contamination"
    assert "Clear and well evidenced." in email.body and page.url in email.body
    signed_in(client, author)
    listing = client.get("/notifications/").content.decode()
    assert "Your case study was published" in listing and "Clear and well evidenced." in listing
    notification = Notification.objects.get(recipient=author, kind=Notification.Kind.PUBLISHED)
    assert client.get(f"/notifications/{notification.pk}/")["Location"] == page.url
    submissions = client.get("/good-practice/submissions/").content.decode()
    assert f'href="{page.url}"' in submissions  # the submissions list links the live page
    # It no longer waits for the reviewers: their notice of it is read.
    review = Notification.objects.get(recipient=editor, kind=Notification.Kind.REVIEW)
    assert review.read_at is not None


def test_the_author_hears_changes_are_asked_for_with_a_link_to_the_edit_form(
    home_page, client, django_capture_on_commit_callbacks
):
    editor, author = good_practice_editor(), UserFactory()
    page = submit(author)

    with django_capture_on_commit_callbacks(execute=True):
        do_review_good_practice(page, editor, approve=False, comment="Add the cost, please.")

    email = mail.outbox[-1]
    edit = f"/good-practice/submissions/{page.pk}/edit/"
    assert email.to == [author.email] and "Add the cost, please." in email.body
    assert edit in email.body
    notification = Notification.objects.get(recipient=author, kind=Notification.Kind.CHANGES)
    assert signed_in(client, author).get(f"/notifications/{notification.pk}/")["Location"] == edit


def test_an_author_who_wants_no_email_is_told_in_the_app_only_and_a_daily_one_in_the_digest(
    home_page, django_capture_on_commit_callbacks
):
    editor = good_practice_editor()
    quiet, daily = UserFactory(), UserFactory()
    do_set_email_frequency(quiet, EmailFrequency.OFF)
    do_set_email_frequency(daily, EmailFrequency.DAILY)
    first, second = submit(quiet, "First"), submit(daily, "Second")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        do_review_good_practice(first, editor, approve=True, comment="Thanks.")
        do_review_good_practice(second, editor, approve=False, comment="Say what it cost.")

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=quiet, kind="published").exists()
    assert do_send_digest(daily)
    digest = mail.outbox[-1]
    assert digest.to == [daily.email]
    assert "Changes requested on your case study: Second" in digest.body
    assert "Say what it cost." in digest.body


def test_a_question_tells_the_author_and_the_contact_but_not_the_asker(
    home_page, django_capture_on_commit_callbacks
):
    from communities.good_practice.services import do_update_good_practice

    editor, author, contact, asker = (
        good_practice_editor(),
        UserFactory(),
        UserFactory(),
        UserFactory(),
    )
    page = submit(author)
    do_update_good_practice(page, author, {"contact": contact}, submit=True)
    do_review_good_practice(GoodPracticePage.objects.get(pk=page.pk), editor, approve=True)
    page = GoodPracticePage.objects.get(pk=page.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        thread = do_ask_question(page, asker, "How many crews took part?")

    told = Notification.objects.filter(kind=Notification.Kind.QUESTION)
    assert {n.recipient for n in told} == {author, contact}
    assert all(n.thread == thread and n.good_practice == page for n in told)
    assert {tuple(m.to) for m in mail.outbox} >= {(author.email,), (contact.email,)}
    assert any("How many crews took part?" in m.body for m in mail.outbox)


def test_an_author_may_not_be_told_of_a_question_thread_they_cannot_read(home_page):
    """Notifications go only to people who may see the thing: the permission layer decides."""
    from communities.permissions import readable_notifications

    author = UserFactory()
    page = submit(author)
    Notification.objects.create(
        recipient=author, kind=Notification.Kind.PUBLISHED, good_practice=page
    )

    assert readable_notifications(author).count() == 1
    assert readable_notifications(UserFactory()).count() == 0


def test_a_review_in_wagtail_s_admin_tells_the_same_people_as_one_on_the_hub(
    home_page, django_capture_on_commit_callbacks
):
    """Wagtail's admin starts the workflow and acts on the task itself, outside the services: the
    hub's receivers announce those steps, and Wagtail's own workflow emails are not sent."""
    editor, author = good_practice_editor(), UserFactory()
    page = do_create_good_practice(
        author=author,
        data={
            "title": "Reviewed in the admin",
            "summary": "s",
            "problem": "p",
            "approach": "a",
            "outcomes": "o",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        state = page.get_workflow().start(page, author)  # the admin's "Submit for review"
    assert [n.recipient for n in Notification.objects.filter(kind="review")] == [editor]
    assert [m.to for m in mail.outbox] == [[editor.email]]

    task_state = state.current_task_state.specific
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state, editor, "approve", comment="Good work.")

    told = Notification.objects.get(kind=Notification.Kind.PUBLISHED)
    assert told.recipient == author and told.message == "Good work." and told.actor == editor
    assert [m.to for m in mail.outbox] == [[editor.email], [author.email]]
