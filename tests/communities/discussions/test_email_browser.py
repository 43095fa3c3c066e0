"""Emails and the unsubscribe page in a real browser: no axe-core violations on a phone (390 px) and a
desktop (1280 px), nothing wider than the phone's screen, and unsubscribing works by its one button."""

import re

import pytest
from django.core import mail

from communities.discussions.services.notifications import do_send_notification_emails
from tests.communities.discussions.email_support import _test_alert  # noqa: F401
from tests.communities.discussions.test_email_html import every_kind_of_email, html_of
from tests.communities.discussions.test_email_unsubscribe import figures_for, unsubscribe_path
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)


def test_every_html_email_has_no_accessibility_violations_on_a_phone_or_a_desktop(
    chromium, check_accessibility, home_page, test_alert
):
    emails = every_kind_of_email(test_alert)
    for width in WIDTHS:
        context = chromium.new_context(viewport={"width": width, "height": 844})
        reader = context.new_page()
        for name, message in emails.items():
            reader.set_content(html_of(message))

            assert reader.get_by_role("heading", level=1).count() == 1, name
            assert reader.evaluate("document.documentElement.scrollWidth") <= width, name
            check_accessibility(reader)
        context.close()


def test_the_unsubscribe_page_asks_then_switches_the_alert_off(
    chromium, live_server, check_accessibility, home_page, test_alert
):
    member = UserFactory()
    do_send_notification_emails([figures_for(member, test_alert.name(34)).pk])
    path = unsubscribe_path(mail.outbox[0])
    for width in WIDTHS:
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 844}
        )
        page = context.new_page()
        page.goto(path)
        assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe"
        check_accessibility(page)

        page.get_by_role("button", name=re.compile("^Unsubscribe from")).click()

        page.get_by_role("heading", name="Unsubscribed").wait_for()
        told = "You will get no more emails" if width == WIDTHS[0] else "were already switched off"
        assert page.get_by_text(told).is_visible()
        check_accessibility(page)
        context.close()
    assert test_alert.switched_off == {(member.pk, "34")}
