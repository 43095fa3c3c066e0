"""One-click unsubscribe (RFC 8058): every alert email and the digest carry it; the link's page asks
first, and a POST switches off that member's alert alone, without signing in."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from communities.alerts import unsubscribe_token
from communities.discussions.services.notifications import (
    do_send_digests,
    do_send_notification_emails,
    do_set_email_frequency,
)
from communities.discussions.services.threads import do_reply
from communities.models import EmailFrequency, Notification, Visibility
from tests.communities.discussions.email_support import _test_alert  # noqa: F401
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def figures_for(user, alert: str) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=Notification.Kind.FIGURES,
        headline="Household waste recycled rose to 48% in Testshire",
        link="/data/areas/testshire/",
        alert=alert,
    )


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    match = re.fullmatch(r"<https?://[^/]+(/notifications/unsubscribe/[^/>]+/)>", header)
    assert match, header
    return match.group(1)


def mail_client() -> Client:
    """As a mail client's one-click POST arrives: no session, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def test_an_alert_email_carries_one_click_unsubscribe_headers_and_a_visible_link(
    home_page, test_alert
):
    reader = UserFactory()
    notification = figures_for(reader, test_alert.name(34))

    assert do_send_notification_emails([notification.pk]) == 1

    (message,) = mail.outbox
    assert message.subject == "Household waste recycled rose to 48% in Testshire"
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    path = unsubscribe_path(message)
    assert path in message.body
    assert "/data/areas/testshire/" in message.body
    assert "/notifications/settings/" in message.body
    html = message.alternatives[0][0]
    assert path in html and "Stop emails for “Household waste recycled" in html


def test_an_email_about_a_reply_has_no_unsubscribe_header_but_links_to_the_settings(home_page):
    community = CommunityFactory(visibility=Visibility.OPEN)
    author, replier = UserFactory(), UserFactory()
    MembershipFactory(community=community, user=replier)
    thread = ThreadFactory(community=community, author=author)
    do_reply(thread=thread, author=replier, body="We use caddies.")
    ids = list(Notification.objects.filter(recipient=author).values_list("pk", flat=True))

    do_send_notification_emails(ids)

    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "Change which emails you get: http" in message.body


def test_opening_the_link_asks_and_changes_nothing(home_page, test_alert):
    reader = UserFactory()
    do_send_notification_emails([figures_for(reader, test_alert.name(34)).pk])
    path = unsubscribe_path(mail.outbox[0])

    response = mail_client().get(path)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Unsubscribe</h1>" in page
    assert "Unsubscribe from “Household waste recycled rose to 48% in Testshire”" in page
    assert test_alert.switched_off == set()


def test_the_one_click_post_switches_off_that_alert_without_signing_in(home_page, test_alert):
    reader = UserFactory()
    do_send_notification_emails([figures_for(reader, test_alert.name(34)).pk])
    path = unsubscribe_path(mail.outbox[0])

    response = mail_client().post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    again = mail_client().post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert "You will get no more emails for" in response.content.decode()
    assert test_alert.switched_off == {(reader.pk, "34")}
    assert again.status_code == 200
    assert "were already switched off" in again.content.decode()


def test_a_signed_in_member_following_someone_elses_link_acts_only_for_the_link_s_member(
    home_page, test_alert
):
    reader, other = UserFactory(), UserFactory()
    do_send_notification_emails([figures_for(reader, test_alert.name(34)).pk])
    path = unsubscribe_path(mail.outbox[0])
    client = Client(enforce_csrf_checks=True)
    client.force_login(other)

    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    assert test_alert.switched_off == {(reader.pk, "34")}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1]),
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "garbage"],
)
def test_a_tampered_link_is_refused_with_a_clear_page(home_page, test_alert, tamper):
    reader = UserFactory()
    token = unsubscribe_token(reader.pk, test_alert.name(34))

    response = mail_client().post(
        f"/notifications/unsubscribe/{tamper(token)}/",
        ONE_CLICK,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This unsubscribe link is not valid" in page
    assert "notification settings" in page
    assert test_alert.switched_off == set()


def test_a_link_for_an_alert_nobody_knows_is_refused(home_page):
    reader = UserFactory()
    token = unsubscribe_token(reader.pk, "retired-kind:3")

    response = mail_client().get(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 400
    assert "nothing left to switch off" in response.content.decode()


def test_the_digest_carries_its_own_unsubscribe_which_stops_the_digest(home_page):
    community = CommunityFactory(visibility=Visibility.OPEN)
    reader = UserFactory()
    MembershipFactory(community=community, user=reader)
    do_set_email_frequency(reader, EmailFrequency.DAILY)
    ThreadFactory(community=community, title="Garden waste charges")
    assert do_send_digests() == 1
    (digest,) = [m for m in mail.outbox if m.to == [reader.email]]
    assert digest.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    path = unsubscribe_path(digest)
    site = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    assert f"Unsubscribe from the daily digest: {site}{path}" in digest.body

    response = mail_client().post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")

    assert "You will get no more emails for the daily digest email." in response.content.decode()
    reader.notification_settings.refresh_from_db()
    assert reader.notification_settings.email_frequency == EmailFrequency.OFF
    ThreadFactory(community=community, title="Bulky waste bookings")
    mail.outbox.clear()
    assert do_send_digests() == 0
    assert mail.outbox == []
