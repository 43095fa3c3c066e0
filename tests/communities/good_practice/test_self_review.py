"""Nobody reviews their own case study: not as a facilitator of a linked community, not as a
library editor or site staff, on the hub's review pages, through the review workflow or by
publishing directly in Wagtail's admin. Attacks made over HTTP against a live server."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from communities.errors import Refusal
from communities.good_practice import queries, services
from communities.models import GoodPracticePage
from communities.permissions import GOOD_PRACTICE_EDITORS
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    UserFactory,
    good_practice_editor,
)
from tests.live_http import LiveClient

pytestmark = pytest.mark.django_db(transaction=True)

WHY = "You wrote this case study, so you cannot approve or publish it yourself"


def is_live(page: GoodPracticePage) -> bool:
    return GoodPracticePage.objects.get(pk=page.pk).live


def test_an_author_who_facilitates_a_linked_community_cannot_approve_it(live_server, home_page):
    author, other_facilitator = UserFactory(), UserFactory()
    community = CommunityFactory(owner=author, title="Waste")
    MembershipFactory(community=community, user=other_facilitator, role="facilitator")
    page = GoodPracticeFactory(
        author=author, publish=False, submit=True, communities=[community], title="Food waste"
    )
    client = LiveClient.as_user(live_server.url, author)

    assert "Food waste" not in client.get("/good-practice/review/").text
    preview = client.get(f"/good-practice/submissions/{page.pk}/")
    assert preview.status == 200
    assert "Your review" not in preview.text and WHY in preview.text

    answer = client.post(f"/good-practice/review/{page.pk}/", {"decision": "approve"})
    assert answer.status == 403 and WHY in answer.text
    assert not is_live(page)
    with pytest.raises(Refusal, match=WHY):
        services.do_review_good_practice(page, author, approve=True)

    # Someone else may: the other facilitator of the linked community.
    other = LiveClient.as_user(live_server.url, other_facilitator)
    assert "Food waste" in other.get("/good-practice/review/").text
    answer = other.post(f"/good-practice/review/{page.pk}/", {"decision": "approve"})
    assert answer.status == 302
    assert is_live(page)


@pytest.fixture
def staff_author():
    """Site staff and superuser, in the library's editors' group: every reviewer's role at once."""
    from django.contrib.auth.models import Group

    good_practice_editor()  # creates the site tree and the editors' group
    user = UserFactory(is_staff=True, is_superuser=True, display_name="Staff Author")
    user.groups.add(Group.objects.get(name=GOOD_PRACTICE_EDITORS))
    return user


def test_an_author_who_is_staff_cannot_approve_it_on_the_hub(live_server, staff_author):
    page = GoodPracticeFactory(author=staff_author, publish=False, submit=True, title="Leasing")
    client = LiveClient.as_user(live_server.url, staff_author)

    assert queries.awaiting_review_by(staff_author) == []
    assert "Leasing" not in client.get("/good-practice/review/").text
    answer = client.post(
        f"/good-practice/review/{page.pk}/", {"decision": "approve", "comment": "fine"}
    )
    assert answer.status == 403 and WHY in answer.text
    assert not is_live(page)

    editor = LiveClient.as_user(live_server.url, good_practice_editor())
    assert editor.post(f"/good-practice/review/{page.pk}/", {"decision": "approve"}).status == 302
    assert is_live(page)


def test_an_author_who_is_staff_cannot_approve_it_in_the_admin_workflow(live_server, staff_author):
    page = GoodPracticeFactory(author=staff_author, publish=False, submit=True, title="Leasing")
    task_state = page.current_workflow_state.current_task_state
    client = LiveClient.as_user(live_server.url, staff_author)

    action = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    answer = client.post(action, {"comment": ""})
    assert answer.status in (302, 403)
    assert "/admin/login/" not in answer.location
    assert not is_live(page)
    # The admin's editor offers no approval either: the page is locked to its author.
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status == 200
    assert 'name="action-workflow-action"' not in edit.text or "approve" not in re.findall(
        r'data-workflow-action-name="(\w+)"', edit.text
    )


def test_an_author_who_is_staff_cannot_publish_it_directly_in_the_admin(live_server, staff_author):
    page = GoodPracticeFactory(author=staff_author, publish=False, submit=False, title="Leasing")
    client = LiveClient.as_user(live_server.url, staff_author)

    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    answer = client.post(f"{bulk}?id={page.pk}", {})
    assert answer.status == 302
    assert not is_live(page)
    followed = client.get(answer.location)
    assert WHY in followed.text  # the refusal says why, as an admin message

    answer = client.post(f"/admin/pages/{page.pk}/edit/", edit_form(client, page))
    assert answer.status == 302
    assert not is_live(page)
    assert WHY in client.get(answer.location).text

    # Another editor publishes it directly.
    editor = LiveClient.as_user(live_server.url, UserFactory(is_staff=True, is_superuser=True))
    answer = editor.post(f"{bulk}?id={page.pk}", {})
    assert is_live(page), answer.status


def edit_form(client: LiveClient, page: GoodPracticePage) -> dict[str, list[str]]:
    """The admin's edit form for ``page`` as a browser would send it with "Publish" pressed."""
    from html.parser import HTMLParser

    html = client.get(f"/admin/pages/{page.pk}/edit/").text
    fields: dict[str, list[str]] = {}

    class Form(HTMLParser):
        textarea: str | None = None
        select: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "option" and self.select and "selected" in a:
                fields[self.select].append(a.get("value") or "")
            if not name:
                return
            kind = a.get("type")
            if tag == "input" and kind not in ("checkbox", "radio", "submit", "file", "button"):
                fields.setdefault(name, []).append(a.get("value") or "")
            elif tag == "input" and kind in ("checkbox", "radio") and "checked" in a:
                fields.setdefault(name, []).append(a.get("value") or "on")
            elif tag == "textarea":
                self.textarea = name
                fields[name] = [""]
            elif tag == "select":
                self.select = name
                fields.setdefault(name, [])

        def handle_data(self, data):
            if self.textarea:
                fields[self.textarea][0] += data

        def handle_endtag(self, tag):
            if tag == "textarea" and self.textarea:
                fields[self.textarea][0] = fields[self.textarea][0].removeprefix("\n")
                self.textarea = None
            if tag == "select":
                self.select = None

    Form().feed(html)
    assert not list(page.body)  # the StreamField's blocks are built by JavaScript: none here
    fields["body-count"] = ["0"]
    fields["action-publish"] = ["action-publish"]
    return fields
