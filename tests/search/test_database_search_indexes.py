"""The database search's trigram indexes on PostgreSQL, and the searches they serve.

The candidates of the database search are found with ``icontains`` on the start of each word; on
PostgreSQL the trigram indexes let those be answered without reading every reply, thread and
profile. They change how fast, never what: a reply is still found by the start of a word in it,
and only by readers who may see it.
"""

import pytest
from django.db import connection, transaction

from communities.models import Visibility
from communities.people.services.communities import do_add_member
from search import synonyms
from search.services import fallback
from tests.factories import CommunityFactory, PostFactory, ThreadFactory, UserFactory
from tests.search.conftest import anonymous
from tests.search.test_database_search import find

pytestmark = pytest.mark.django_db

INDEXES = {
    "communities_post_body_trgm",
    "communities_threadpage_body_trgm",
    "communities_profile_display_name_trgm",
    "communities_profile_job_title_trgm",
    "communities_profile_bio_trgm",
    "wagtailcore_page_title_upper_trgm",
    "wagtailcore_page_title_trgm",
}


@pytest.fixture
def database(settings, home_page):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def private_reply(database):
    """A reply about caddies in a private community, and one of its members."""
    member = UserFactory()
    private = CommunityFactory(title="Kerbside rounds", visibility=Visibility.PRIVATE)
    thread = ThreadFactory(community=private, author=member, title="Collection rounds")
    reply = PostFactory(thread=thread, author=member, body="We bought 4,000 kitchen caddies.")
    do_add_member(private, UserFactory())  # someone else in the community, not the reader below
    return member, reply


def test_the_trigram_indexes_exist_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(INDEXES)]
        )
        found = dict(cursor.fetchall())

    assert set(found) == INDEXES
    assert all("USING gin" in sql and "gin_trgm_ops" in sql for sql in found.values())


def test_the_replies_candidates_can_be_read_from_their_index(private_reply):
    member, _ = private_reply
    replies = fallback.visible_querysets(member)["post"]
    rows = replies.filter(fallback._candidate_filter("post", synonyms.terms("caddy")))

    # a tiny table, which the planner would rather read through: show that the index can serve it
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # nor through another index
        plan = rows.order_by("-pk").values("pk")[: fallback.LIMIT].explain()

    assert "communities_post_body_trgm" in plan


def test_a_reply_is_found_by_the_start_of_a_word_only_by_its_readers(private_reply):
    member, reply = private_reply

    def found(user) -> set[str]:
        return {h.doc_id for h in find("q=caddy", user).hits}

    assert f"post-{reply.pk}" in found(member)
    assert f"post-{reply.pk}" not in found(UserFactory())
    assert f"post-{reply.pk}" not in found(anonymous())


@pytest.mark.parametrize("narrow", [0, fallback.NARROW], ids=["common words", "rare words"])
def test_threads_and_profiles_are_found_whether_their_words_are_rare_or_common(
    database, monkeypatch, narrow
):
    """Threads and profiles are narrowed to the rows holding a rare word first; a word in more
    than ``NARROW`` rows is looked for with the plain filter. Both find the same."""
    monkeypatch.setattr(fallback, "NARROW", narrow)
    reader = UserFactory()
    officer = UserFactory(display_name="Ottoline Marchbanks", job_title="Fleet manager")
    by_title = ThreadFactory(title="Gritting routes in snow", body="Which roads first?")
    by_tag = ThreadFactory(title="Winter plans", body="Salt stocks.", tags=["gritting"])
    by_body = ThreadFactory(title="Depots", body="Our gritting depot moved.")

    threads = {h.doc_id for h in find("q=gritting routes", reader).hits}
    assert threads == {f"thread-{by_title.pk}"}
    everywhere = {h.doc_id for h in find("q=gritting", reader).hits}
    assert {f"thread-{t.pk}" for t in (by_title, by_tag, by_body)} <= everywhere
    people = {h.doc_id for h in find("q=marchbanks fleet", reader).hits}
    assert f"profile-{officer.profile.pk}" in people


def test_a_word_in_more_rows_than_narrow_is_not_narrowed_to_some_of_them(database, monkeypatch):
    """Rows holding the word in two fields come back twice from the indexes: the rows are counted,
    not the ids, so a word over the limit is never narrowed to the ids read before the limit."""
    monkeypatch.setattr(fallback, "NARROW", 3)
    twice = [
        ThreadFactory(title=f"Gritting routes {n}", body="Our gritting plan.") for n in range(2)
    ]
    once = ThreadFactory(title="Depots", body="Our gritting depot moved.")

    found = {h.doc_id for h in find("q=gritting", UserFactory()).hits}

    assert {f"thread-{t.pk}" for t in [*twice, once]} <= found
