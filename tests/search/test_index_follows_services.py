"""Every service that changes what readers may see moves the index with it, on the real node.

Each test makes its change through the service a member's action goes through (never a model
save or ``QuerySet.update()``), lets the outbox drain as the task would after the commit, and
looks at what search then shows: the documents, results and snippets.
"""

from __future__ import annotations

import pytest

from communities.discussions.services import moderation, threads
from communities.good_practice.services import do_review_good_practice
from communities.models import Membership, ProfileVisibility, Visibility
from communities.people.services import membership
from communities.people.services.communities import do_add_member
from communities.people.services.profiles import do_update_profile
from search.client import alias_name
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
    good_practice_editor,
)
from tests.search.conftest import anonymous, find

pytestmark = pytest.mark.django_db


def document(search_index, doc_id: str) -> dict | None:
    """The indexed document ``doc_id`` (after the outbox drains), or None when it is not indexed."""
    search_index.sync()
    response = search_index.client.options(ignore_status=404).get(index=alias_name(), id=doc_id)
    return response["_source"] if response.get("found") else None


def live_document(search_index, doc_id: str) -> dict | None:
    """The document ``doc_id`` as readers' searches see it: only while it is live."""
    source = document(search_index, doc_id)
    return source if source is not None and source["status"] == "live" else None


def shown(user, word: str) -> str:
    """Everything a search for ``word`` shows ``user``: ids, titles and snippets."""
    results = find(user, f"q={word}")
    return (
        " ".join(f"{h.doc_id} {h.title} {h.snippet}" for h in results.hits)
        + f" total={results.total}"
    )


@pytest.fixture
def discussion(search_index):
    owner = UserFactory()
    community = CommunityFactory(owner=owner)
    author = UserFactory()
    do_add_member(community, author)
    thread = ThreadFactory(
        community=community,
        author=author,
        title="Food waste collections",
        body="How did you roll out weekly food waste collections?",
    )
    search_index.sync()
    return {"owner": owner, "community": community, "author": author, "thread": thread}


def test_starting_a_thread_indexes_it(search_index, discussion):
    thread = threads.do_start_thread(
        community=discussion["community"],
        author=discussion["author"],
        title="Garden waste charges",
        body="What do residents pay for garden waste?",
    )

    assert document(search_index, f"thread-{thread.pk}")["title"] == "Garden waste charges"
    assert f"thread-{thread.pk}" in shown(anonymous(), "garden")


def test_a_reply_is_indexed_and_joins_its_threads_document(search_index, discussion):
    post = threads.do_reply(
        thread=discussion["thread"], author=discussion["author"], body="We used quillets."
    )

    assert document(search_index, f"post-{post.pk}")["body"] == "We used quillets."
    assert "quillets" in document(search_index, f"thread-{discussion['thread'].pk}")["body"]


def test_editing_a_reply_replaces_its_words(search_index, discussion):
    post = PostFactory(
        thread=discussion["thread"], author=discussion["author"], body="We used quillets."
    )
    search_index.sync()

    threads.do_edit_post(post=post, editor=discussion["author"], body="We used caddies.")

    assert document(search_index, f"post-{post.pk}")["body"] == "We used caddies."
    assert "quillets" not in document(search_index, f"thread-{discussion['thread'].pk}")["body"]
    assert "quillets" not in shown(anonymous(), "quillets")


def test_editing_a_thread_renames_it_and_its_replies(search_index, discussion):
    post = PostFactory(thread=discussion["thread"], author=discussion["author"])
    search_index.sync()

    threads.do_edit_thread(
        thread=discussion["thread"],
        editor=discussion["author"],
        title="Weekly food waste",
        body="How did you roll it out?",
    )

    assert (
        document(search_index, f"thread-{discussion['thread'].pk}")["title"] == "Weekly food waste"
    )
    assert document(search_index, f"post-{post.pk}")["title"] == "Reply in “Weekly food waste”"


def test_deleting_a_reply_removes_it_from_results_snippets_and_the_thread_document(
    search_index, discussion
):
    post = PostFactory(
        thread=discussion["thread"],
        author=discussion["author"],
        body="Ask about the zyxwvut scheme.",
    )
    search_index.sync()
    assert "zyxwvut" in shown(anonymous(), "zyxwvut")

    threads.check_delete_post(discussion["author"], post)
    threads.do_delete_post(post=post, by=discussion["author"])

    assert document(search_index, f"post-{post.pk}") is None
    assert "zyxwvut" not in document(search_index, f"thread-{discussion['thread'].pk}")["body"]
    assert shown(anonymous(), "zyxwvut") == " total=0"
    assert shown(discussion["author"], "zyxwvut") == " total=0"


def test_hiding_and_unhiding_a_reply(search_index, discussion):
    post = PostFactory(
        thread=discussion["thread"], author=discussion["author"], body="A qwertyish remark."
    )
    search_index.sync()

    moderation.do_hide_post(post, by=discussion["owner"])
    assert document(search_index, f"post-{post.pk}") is None
    assert "qwertyish" not in shown(anonymous(), "qwertyish")

    moderation.do_unhide_post(post, by=discussion["owner"])
    assert document(search_index, f"post-{post.pk}") is not None
    assert f"post-{post.pk}" in shown(anonymous(), "qwertyish")


def test_hiding_and_unhiding_a_thread_takes_its_replies_along(search_index, discussion):
    thread = discussion["thread"]
    post = PostFactory(thread=thread, author=discussion["author"], body="A plumbous reply.")
    search_index.sync()

    moderation.do_hide_thread(thread, by=discussion["owner"])
    assert live_document(search_index, f"thread-{thread.pk}") is None
    assert live_document(search_index, f"post-{post.pk}") is None
    assert shown(anonymous(), "plumbous") == " total=0"
    assert shown(discussion["owner"], "plumbous") == " total=0"

    moderation.do_unhide_thread(thread, by=discussion["owner"])
    assert live_document(search_index, f"thread-{thread.pk}") is not None
    assert f"post-{post.pk}" in shown(anonymous(), "plumbous")


def test_locking_a_thread_keeps_it_findable(search_index, discussion):
    moderation.do_lock_thread(discussion["thread"], by=discussion["owner"])

    assert f"thread-{discussion['thread'].pk}" in shown(anonymous(), "food")


def test_moving_a_thread_moves_its_documents_to_the_new_community(search_index, discussion):
    private = CommunityFactory(owner=discussion["owner"], visibility=Visibility.PRIVATE)
    post = PostFactory(
        thread=discussion["thread"], author=discussion["author"], body="A gneissic reply."
    )
    search_index.sync()

    moderation.do_move_thread(discussion["thread"], to=private, by=discussion["owner"])

    assert document(search_index, f"thread-{discussion['thread'].pk}")["community_id"] == private.pk
    assert document(search_index, f"post-{post.pk}")["community_id"] == private.pk
    assert shown(anonymous(), "gneissic") == " total=0"
    assert f"post-{post.pk}" in shown(discussion["owner"], "gneissic")


def test_a_communitys_new_visibility_reaches_its_threads_and_replies(search_index, discussion):
    post = PostFactory(
        thread=discussion["thread"], author=discussion["author"], body="A feldspar reply."
    )
    search_index.sync()

    membership.do_update_community_settings(
        discussion["community"],
        by=discussion["owner"],
        description="Now restricted.",
        tags=[],
        visibility=Visibility.RESTRICTED,
    )

    assert (
        document(search_index, f"community-{discussion['community'].pk}")["visibility"]
        == "restricted"
    )
    assert document(search_index, f"thread-{discussion['thread'].pk}")["visibility"] == "restricted"
    assert document(search_index, f"post-{post.pk}")["visibility"] == "restricted"
    assert shown(anonymous(), "feldspar") == " total=0"


def test_creating_a_community_indexes_it(search_index):
    community = CommunityFactory(title="Highways asset management")

    assert (
        document(search_index, f"community-{community.pk}")["title"] == "Highways asset management"
    )


def test_leaving_changes_what_the_member_finds_and_no_document(search_index):
    private = CommunityFactory(visibility=Visibility.PRIVATE, owner=UserFactory())
    reader = UserFactory()
    do_add_member(private, reader)
    thread = ThreadFactory(community=private, title="Obsidian budgets", body="The obsidian plan.")
    search_index.sync()
    assert f"thread-{thread.pk}" in shown(reader, "obsidian")

    membership.do_leave(reader, private)

    assert Membership.objects.get(community=private, user=reader).status == Membership.Status.LEFT
    assert shown(reader, "obsidian") == " total=0"


def test_editing_a_profile_reindexes_it_with_its_new_audience(search_index):
    member = UserFactory(display_name="Tamsin Quarrington")  # members-only, as profiles start
    search_index.sync()
    assert shown(anonymous(), "quarrington") == " total=0"

    do_update_profile(
        member.profile,
        by=member,
        display_name="Tamsin Quarrington",
        job_title="Waste lead",
        visibility=ProfileVisibility.PUBLIC,
    )

    source = document(search_index, f"profile-{member.profile.pk}")
    assert source["audience"] == "everyone" and "Waste lead" in source["summary"] + source["body"]
    assert f"profile-{member.profile.pk}" in shown(anonymous(), "quarrington")


def test_approving_good_practice_publishes_it_to_search(search_index):
    draft = GoodPracticeFactory(publish=False, submit=True, title="Tyre recycling pilot")
    search_index.sync()
    assert live_document(search_index, f"good_practice-{draft.pk}") is None
    assert shown(anonymous(), "tyre") == " total=0"

    do_review_good_practice(draft, good_practice_editor(), approve=True)

    assert (
        live_document(search_index, f"good_practice-{draft.pk}")["title"] == "Tyre recycling pilot"
    )
    assert f"good_practice-{draft.pk}" in shown(anonymous(), "tyre")
