"""A reply's earlier versions (``PostRevision``) are for its author, the community's facilitators
and site staff; other readers see only that it was edited, on every surface. Over HTTP against a
live server on PostgreSQL."""

from __future__ import annotations

import pytest

from communities.discussions.services.threads import do_edit_post
from communities.models import Visibility
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)
from tests.live_http import LiveClient

pytestmark = pytest.mark.django_db(transaction=True)

EARLIER = "The budget we were given is 5.2 million"
NOW = "The budget is still being agreed."


@pytest.fixture
def edited(home_page):
    owner = UserFactory(display_name="Olu Owner")
    community = CommunityFactory(title="Finance leads", visibility=Visibility.OPEN, owner=owner)
    facilitator, author, reader = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(community=community, user=facilitator, role="facilitator")
    MembershipFactory(community=community, user=author)
    MembershipFactory(community=community, user=reader)
    thread = ThreadFactory(community=community, title="Setting the 2027 budget")
    post = PostFactory(thread=thread, author=author, body=EARLIER)
    post = do_edit_post(post=post, editor=author, body=NOW)
    return {
        "thread": thread,
        "post": post,
        "author": author,
        "facilitator": facilitator,
        "reader": reader,
        "staff": UserFactory(is_staff=True),
    }


def test_the_history_page_is_for_the_author_facilitators_and_staff_only(live_server, edited):
    history = f"/discussions/posts/{edited['post'].pk}/history/"
    for who in ("author", "facilitator", "staff"):
        answer = LiveClient.as_user(live_server.url, edited[who]).get(history)
        assert answer.status == 200, who
        assert EARLIER in answer.text

    for who in (None, edited["reader"], UserFactory()):  # anonymous, a member, a stranger
        answer = LiveClient.as_user(live_server.url, who).get(history)
        assert answer.status == 403, who
        assert EARLIER not in answer.text
        assert "earlier versions are shown only to its author" in answer.text


def test_other_readers_see_only_that_a_reply_was_edited(live_server, edited):
    history = f"/discussions/posts/{edited['post'].pk}/history/"
    thread_url = edited["thread"].url

    reader_page = LiveClient.as_user(live_server.url, edited["reader"]).get(thread_url).text
    assert NOW in reader_page and "edited" in reader_page
    assert history not in reader_page and EARLIER not in reader_page
    assert history not in LiveClient(live_server.url).get(thread_url).text

    author_page = LiveClient.as_user(live_server.url, edited["author"]).get(thread_url).text
    assert history in author_page
    assert (
        history in LiveClient.as_user(live_server.url, edited["facilitator"]).get(thread_url).text
    )

    # The API and the feeds carry the current text only.
    api = LiveClient(live_server.url).get(f"/api/threads/{edited['thread'].pk}/posts")
    assert api.status == 200 and NOW in api.text and EARLIER not in api.text
    feed = LiveClient(live_server.url).get(f"/feeds/threads/{edited['thread'].pk}/rss/")
    assert feed.status == 200 and EARLIER not in feed.text
