"""Every email is HTML with a plain-text alternative: valid (Nu HTML Checker), a real heading
structure, ``lang``, link text that makes sense alone, one column of at most 600px, inline styles
only, nothing fetched from elsewhere (no images, scripts or style sheets), no layout tables."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from communities.discussions.services.notifications import (
    do_send_digest,
    do_send_notification_emails,
    do_set_email_frequency,
    do_set_watch,
)
from communities.discussions.services.threads import do_reply, do_start_thread
from communities.models import EmailFrequency, Notification, Visibility, WatchLevel
from tests.communities.discussions.email_support import _test_alert  # noqa: F401
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    UserFactory,
)
from tests.hub.test_standards_html import VNU_JAR

pytestmark = pytest.mark.django_db

VAGUE_LINK_TEXT = {"click here", "here", "read more", "more", "link", "this link", "unsubscribe"}


def every_kind_of_email(test_alert) -> dict[str, mail.EmailMultiAlternatives]:
    """A reply sent straight away, an alert sent straight away, and a digest with every section."""
    community = CommunityFactory(title="Waste and recycling", visibility=Visibility.RESTRICTED)
    author, other, reader = UserFactory(), UserFactory(), UserFactory(display_name="Dana Reader")
    for user in (author, other, reader):
        MembershipFactory(community=community, user=user)
    thread = do_start_thread(
        community=community, author=author, title="Food waste <rollout> & caddies", body="When?"
    )
    do_reply(thread=thread, author=other, body="**April**, with [a guide](https://example.org/).")
    do_send_notification_emails(
        list(Notification.objects.filter(recipient=author).values_list("pk", flat=True))
    )
    alert = Notification.objects.create(
        recipient=author,
        kind=Notification.Kind.FIGURES,
        headline="Household waste recycled rose to 48% in Testshire",
        link="/data/areas/testshire/",
        alert=test_alert.name(34),
    )
    do_send_notification_emails([alert.pk])

    do_set_email_frequency(reader, EmailFrequency.DAILY)
    do_set_watch(reader, level=WatchLevel.WATCHING, community=community)
    do_start_thread(community=community, author=other, title="Depot safety", body="@dana-reader?")
    Notification.objects.create(
        recipient=reader,
        kind=Notification.Kind.SAVED_SEARCH,
        thread=thread,
        alert=test_alert.name(12),
    )
    GoodPracticeFactory(author=reader, title="Shared waste contracts")  # published: they are told
    do_send_digest(reader)
    by_recipient = {
        "reply": [m for m in mail.outbox if m.to == [author.email]][0],
        "alert": [m for m in mail.outbox if m.to == [author.email]][1],
        "digest": [m for m in mail.outbox if m.to == [reader.email]][0],
    }
    assert "Your daily digest" in by_recipient["digest"].subject
    return by_recipient


def html_of(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def test_every_email_is_valid_html(home_page, test_alert, tmp_path):
    java = shutil.which("java")
    assert java, "Java 17 or later is needed to run the Nu HTML Checker"
    files = {}
    for name, message in every_kind_of_email(test_alert).items():
        file = tmp_path / f"{name}.html"
        file.write_text(html_of(message))
        files[str(file.resolve())] = name

    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *sorted(files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert run.stdout, run.stderr[-2000:]
    errors = [
        f"{files.get(m.get('url', '').removeprefix('file:'), '?')} line {m.get('lastLine')}: "
        f"{m['message']}"
        for m in json.loads(run.stdout)["messages"]
        if m.get("type") in {"error", "non-document-error"}
    ]
    assert errors == []


def test_every_email_is_accessible_and_fit_for_a_phone(home_page, test_alert):
    for name, message in every_kind_of_email(test_alert).items():
        soup = BeautifulSoup(html_of(message), "html.parser")

        assert soup.html["lang"] == "en-GB", name
        assert soup.title.get_text(strip=True) == message.subject, name
        assert len(soup.find_all("h1")) == 1, name
        levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
        assert levels[0] == 1 and all(
            b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)
        ), name
        assert soup.find_all(["table", "img", "script", "style", "link", "iframe"]) == [], name
        assert soup.find_all(attrs={"role": "presentation"}) == [], name
        assert not soup.find_all(attrs={"src": True}), name
        assert "max-width:600px" in soup.main["style"], name
        for link in soup.find_all("a"):
            text = " ".join(link.get_text().split())
            assert text and text.lower() not in VAGUE_LINK_TEXT, (name, text)
            assert link["href"].startswith(("http://", "https://")), (name, link["href"])
        texts = {" ".join(a.get_text().split()) for a in soup.find_all("a")}
        assert "Change which emails you get from Local Government Knowledge Hub" in texts, name


def test_the_html_and_the_text_tell_the_same_things(home_page, test_alert):
    emails = every_kind_of_email(test_alert)

    for name, message in emails.items():
        soup = BeautifulSoup(html_of(message), "html.parser")
        assert "<" not in message.body.replace("<rollout>", ""), name  # plain text, not markup
        for link in soup.find_all("a"):
            assert link["href"] in message.body, (name, link["href"])
    reply = emails["reply"]
    assert 'New reply in "Food waste <rollout> & caddies"' in reply.body
    assert "Food waste &lt;rollout&gt; &amp; caddies" in html_of(reply)
    assert "April, with a guide." in reply.body and "**" not in reply.body
    digest = BeautifulSoup(html_of(emails["digest"]), "html.parser")
    assert "Your case study was published: Shared waste contracts" in emails["digest"].body
    assert [h.get_text(strip=True) for h in digest.find_all("h2")] == [
        "For you",
        "In your communities",
        "Your alerts",
        "Waiting for you and your case studies",
    ]
