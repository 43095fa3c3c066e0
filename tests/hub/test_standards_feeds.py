"""Every public feed against the elements RFC 4287 (Atom) and RSS 2.0 require, anonymous and through a
member's secret link: parsed with a real XML parser (and feedparser, which must not flag it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import pytest
from django.urls import reverse

from communities.discussions.services.notifications import do_reset_feed_token
from communities.models import Visibility
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOST = "hub.example.gov.uk"


@pytest.fixture
def feeds(home_page, settings):
    """Every feed URL, anonymous ones and the member's secret links, each with its format."""
    settings.ALLOWED_HOSTS = [HOST]
    open_community = CommunityFactory(title="Waste and recycling")
    thread = ThreadFactory(community=open_community, title="Food waste rollout")
    PostFactory(thread=thread, body="We used **caddies**.")
    restricted = CommunityFactory(title="Digital and data", visibility=Visibility.RESTRICTED)
    member = UserFactory()
    MembershipFactory(community=restricted, user=member)
    members_thread = ThreadFactory(community=restricted, title="Open data portals")
    PostFactory(thread=members_thread, author=member, body="CKAN, mostly.")
    GoodPracticeFactory(title="Shared waste contracts")
    token = do_reset_feed_token(member)
    urls = {
        "good practice rss": reverse("good-practice-feed"),
        "good practice atom": reverse("good-practice-feed-atom"),
    }
    for kind in ("rss", "atom"):
        urls[f"community {kind}"] = reverse(f"community-feed-{kind}", args=[open_community.slug])
        urls[f"thread {kind}"] = reverse(f"thread-feed-{kind}", args=[thread.pk])
        urls[f"secret community {kind}"] = reverse(
            f"private-community-feed-{kind}", args=[token, restricted.slug]
        )
        urls[f"secret thread {kind}"] = reverse(
            f"private-thread-feed-{kind}", args=[token, members_thread.pk]
        )
    return urls


def is_iri(value: str | None) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in {"tag", "http", "https"} and bool(parts.netloc or parts.path)


def is_rfc3339(value: str | None) -> bool:
    try:
        return datetime.fromisoformat(value or "").tzinfo is not None
    except ValueError:
        return False


def on_host(url: str | None) -> bool:
    return (url or "").startswith(f"http://{HOST}/")


def check_atom(root: ET.Element) -> list[str]:
    """What RFC 4287 §4.1 requires of a feed and its entries that this document lacks."""
    problems = []
    if root.tag != f"{ATOM}feed":
        return [f"root is {root.tag}"]
    for name in ("id", "title", "updated"):
        if len(root.findall(f"{ATOM}{name}")) != 1:
            problems.append(f"feed has no single {name}")
    if not is_iri(root.findtext(f"{ATOM}id")):
        problems.append(f"feed id {root.findtext(f'{ATOM}id')!r} is not an IRI")
    if not is_rfc3339(root.findtext(f"{ATOM}updated")):
        problems.append("feed updated is not an RFC 3339 date")
    feed_author = root.findtext(f"{ATOM}author/{ATOM}name")
    for link in root.iter(f"{ATOM}link"):
        if not on_host(link.get("href")):
            problems.append(f"link {link.get('href')!r} is not absolute on the host asked")
    entries = root.findall(f"{ATOM}entry")
    if not entries:
        problems.append("no entries")
    for entry in entries:
        entry_id = entry.findtext(f"{ATOM}id")
        if not is_iri(entry_id):
            problems.append(f"entry id {entry_id!r} is not an IRI")
        if not entry.findtext(f"{ATOM}title"):
            problems.append(f"entry {entry_id} has no title")
        if not is_rfc3339(entry.findtext(f"{ATOM}updated")):
            problems.append(f"entry {entry_id} has no RFC 3339 updated")
        if not (entry.findtext(f"{ATOM}author/{ATOM}name") or feed_author):
            problems.append(f"entry {entry_id} has no author, nor has the feed")
        alternate = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if not (alternate or entry.find(f"{ATOM}content") is not None):
            problems.append(f"entry {entry_id} has neither an alternate link nor content")
    return problems


def check_rss(root: ET.Element) -> list[str]:
    """What RSS 2.0 requires of a channel and its items that this document lacks."""
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"root is {root.tag} version {root.get('version')}"]
    channel = root.find("channel")
    assert channel is not None
    problems = [
        f"channel has no {name}"
        for name in ("title", "link", "description")
        if channel.find(name) is None
    ]
    if not on_host(channel.findtext("link")):
        problems.append(f"channel link {channel.findtext('link')!r} is not absolute on the host")
    items = channel.findall("item")
    if not items:
        problems.append("no items")
    for item in items:
        if not (item.findtext("title") or item.findtext("description")):
            problems.append("item with neither title nor description")
        if not on_host(item.findtext("link")):
            problems.append(f"item link {item.findtext('link')!r} is not absolute on the host")
        guid = item.find("guid")
        if guid is not None:
            permalink = guid.get("isPermaLink", "true") == "true"
            if permalink and not urlsplit(guid.text or "").scheme.startswith("http"):
                problems.append(f"guid {guid.text!r} is a permalink but not a URL")
            if not permalink and not is_iri(guid.text):
                problems.append(f"guid {guid.text!r} is not a stable IRI")
        pubdate = item.findtext("pubDate")
        if pubdate is not None:
            try:
                parsedate_to_datetime(pubdate)
            except (TypeError, ValueError):
                problems.append(f"pubDate {pubdate!r} is not an RFC 822 date")
    return problems


def test_every_feed_has_what_its_standard_requires(client, feeds):
    problems = {}
    for name, url in feeds.items():
        response = client.get(url, HTTP_HOST=HOST)
        assert response.status_code == 200, (name, response.status_code)
        kind = "atom" if name.endswith("atom") else "rss"
        assert response["Content-Type"].startswith(f"application/{kind}+xml"), name
        root = ET.fromstring(response.content)  # noqa: S314 - the hub's own output
        found = check_atom(root) if kind == "atom" else check_rss(root)
        parsed = feedparser.parse(response.content)
        if parsed.bozo:
            found.append(f"feedparser: {parsed.bozo_exception}")
        if found:
            problems[name] = found
    assert not problems, problems


def test_feed_ids_are_stable_whichever_host_is_asked(client, feeds, settings):
    settings.ALLOWED_HOSTS = [HOST, "hub.internal"]
    url = feeds["thread atom"]
    ids = []
    for host in (HOST, "hub.internal"):
        root = ET.fromstring(client.get(url, HTTP_HOST=host).content)  # noqa: S314
        ids.append([entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")])
    assert ids[0] == ids[1] and ids[0]
    rss = ET.fromstring(client.get(feeds["thread rss"], HTTP_HOST="hub.internal").content)  # noqa: S314
    guid = rss.find("channel/item/guid")
    assert guid is not None and guid.get("isPermaLink") == "false"
    site_host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname
    assert (guid.text or "").startswith(f"tag:{site_host},")
