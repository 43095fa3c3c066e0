"""The communities' permission matrix applied to every search surface, on the real node.

A private thread's unique word must never reach someone who may not read it: not in results,
counts, facets, highlights, spelling suggestions, autocomplete or related content.
"""

import pytest
from django.db import transaction

from communities.models import (
    GoodPracticeIndexPage,
    GoodPracticePage,
    Membership,
    ProfileVisibility,
    Visibility,
)
from communities.people.services.communities import do_add_member
from communities.people.services.profiles import do_create_member
from hub.floor.pagecache import bump
from search.queries import autocomplete, related
from tests.factories import CommunityFactory, PostFactory, ThreadFactory, UserFactory
from tests.search.conftest import anonymous, ban, find

pytestmark = pytest.mark.django_db

SECRET = "zorblaxian"


# The users each check below is run for, in turn, on one set-up of the hub's content (the same
# content, indexed once): every user is still checked, and a failure names the user.
NON_MEMBERS = ["anonymous", "outsider", "banned"]
READERS = ["member", "staff"]


@pytest.fixture
def hub(search_index):
    """An open, a restricted and a private community, each with a thread about budgets."""
    member, outsider, banned = UserFactory(), UserFactory(), UserFactory()
    staff = UserFactory(is_staff=True)
    open_c = CommunityFactory(title="Open budgets", visibility=Visibility.OPEN)
    restricted = CommunityFactory(title="Restricted budgets", visibility=Visibility.RESTRICTED)
    private = CommunityFactory(
        title="Private budgets", visibility=Visibility.PRIVATE, tags=["secretive"]
    )
    open_thread = ThreadFactory(
        community=open_c,
        title="Budget setting for recycling",
        body="Budget setting for recycling collections and contamination.",
    )
    ThreadFactory(
        community=restricted, title="Budget setting in restricted", body="Budget quarkish plans."
    )
    private_thread = ThreadFactory(
        community=private,
        author=member,
        title=f"Budget setting {SECRET} plan",
        body=f"Budget setting for recycling: the {SECRET} approach to contamination.",
        tags=[f"{SECRET}tag"],
    )
    PostFactory(thread=private_thread, author=member, body=f"Budget reply: {SECRET} savings.")
    do_add_member(private, banned)
    ban(private, banned)
    search_index.sync()
    return {
        "member": member,
        "outsider": outsider,
        "banned": banned,
        "staff": staff,
        "anonymous": anonymous(),
        "open": open_c,
        "restricted": restricted,
        "private": private,
        "open_thread": open_thread,
        "private_thread": private_thread,
    }


def _everything(user, hub) -> str:
    """Everything every search surface shows ``user``, as one string to look for leaks in."""
    shown = []
    for query in (
        f"q={SECRET}",
        "q=budget",
        "q=budget setting",
        f"q={SECRET[:-1]}m",
        "q=secretive",
        f"q=budget&community={hub['private'].pk}",
        f"q=budget&tag={SECRET}tag",
    ):
        results = find(user, query)
        shown += [str(results.total), results.suggestion]
        shown += [f"{h.doc_id} {h.title} {h.snippet} {h.community} {h.tags}" for h in results.hits]
        shown += [
            f"{v.value} {v.label} {v.count}" for f in results.facets for v in f.values if v.count
        ]
    shown += [
        str(item)
        for prefix in (SECRET[:4], "budget s", "secret")
        for item in autocomplete(user, prefix)
    ]
    shown += [
        f"{h.doc_id} {h.title} {h.snippet}"
        for h in related(user, f"thread-{hub['open_thread'].pk}")
    ]
    shown += [f"{h.doc_id}" for h in related(user, f"thread-{hub['private_thread'].pk}")]
    return "\n".join(shown)


def test_a_private_threads_words_never_reach_a_non_member(hub):
    for who in NON_MEMBERS:
        shown = _everything(hub[who], hub)

        assert SECRET not in shown, who
        assert f"thread-{hub['private_thread'].pk}" not in shown, who
        assert "Private budgets" not in shown and "secretive" not in shown, who
        first_words = [line.split()[0] for line in shown.splitlines() if line]
        assert str(hub["private"].pk) not in first_words, who


def test_with_kept_lists_each_reader_still_sees_only_their_own_and_changes_show_at_once(
    hub, search_index, settings
):
    """The communities open to everyone, the communities' titles and search answers are kept:
    readers in any order still see only what they may read, and closing or opening a community
    or joining or leaving one shows in the next search."""
    settings.FRAGMENT_CACHE_SECONDS = 300
    settings.SEARCH_CACHE_SECONDS = 60  # and the answers themselves, per permission filter
    with transaction.atomic():
        bump()  # a content generation to keep them under
    order = ["anonymous", "member", "outsider", "staff", "banned"]
    for who in order + order[::-1]:
        shown = _everything(hub[who], hub)
        assert (SECRET in shown) == (who in READERS), who
        assert ("Private budgets" in shown) == (who in READERS), who

    outsider, private = hub["outsider"], hub["private"]
    do_add_member(private, outsider)
    assert find(outsider, f"q={SECRET}").total == 2
    assert "Private budgets" in _everything(outsider, hub)
    Membership.objects.filter(community=private, user=outsider).update(
        status=Membership.Status.LEFT
    )
    assert SECRET not in _everything(outsider, hub)

    open_c = hub["open"]
    open_c.visibility = Visibility.PRIVATE
    open_c.save_revision().publish()
    search_index.sync()
    for who in NON_MEMBERS:
        assert find(hub[who], "q=budget setting").total == 0, who
        assert "Open budgets" not in _everything(hub[who], hub), who
    private.visibility = Visibility.OPEN
    private.save_revision().publish()
    search_index.sync()
    assert find(anonymous(), f"q={SECRET}").total == 2


def test_with_kept_lists_a_members_community_unpublished_leaves_their_results_at_once(
    hub, search_index, kept_fragments, settings
):
    """The live communities are kept for everyone: a community taken down (unpublished) leaves its
    own members' results in the next search, before its documents are re-indexed."""
    settings.SEARCH_CACHE_SECONDS = 60
    with transaction.atomic():
        bump()
    member = hub["member"]
    assert find(member, f"q={SECRET}").total == 2  # the thread and its reply

    with transaction.atomic():
        hub["private"].unpublish()

    assert find(member, f"q={SECRET}").total == 0
    assert SECRET not in _everything(member, hub)


def test_members_and_staff_find_the_private_thread_everywhere(hub):
    for who in READERS:
        user = hub[who]
        results = find(user, f"q={SECRET}")
        assert f"thread-{hub['private_thread'].pk}" in {h.doc_id for h in results.hits}, who
        assert any(f"<mark>{SECRET}</mark>" in h.snippet for h in results.hits), who
        assert find(user, f"q={SECRET[:-1]}m").suggestion == SECRET, who
        assert any(SECRET in item["label"] for item in autocomplete(user, SECRET[:5])), who
        assert f"thread-{hub['private_thread'].pk}" in {
            h.doc_id for h in related(user, f"thread-{hub['open_thread'].pk}")
        }, who


def _everything_from_the_database(user) -> str:
    """Everything the database search shows ``user``: results, counts, highlights, suggestions,
    autocomplete."""
    from django.http import QueryDict

    from search.queries import parse_params
    from search.services.fallback import database_autocomplete, database_search

    shown = []
    for query in (f"q={SECRET}", "q=budget setting", f"q={SECRET[:-1]}m", "q=secretive"):
        results = database_search(user, parse_params(QueryDict(query)))
        shown += [str(results.total), results.suggestion]
        shown += [f"{h.doc_id} {h.title} {h.title_html} {h.snippet} {h.tags}" for h in results.hits]
        shown += [f"{v.value} {v.label} {v.count}" for f in results.facets for v in f.values]
    shown += [
        str(item)
        for prefix in (SECRET[:4], "budget s", "secret")
        for item in database_autocomplete(user, prefix)
    ]
    return "\n".join(shown)


def test_the_database_search_never_shows_a_private_threads_words(hub):
    for who in NON_MEMBERS:
        shown = _everything_from_the_database(hub[who])

        assert SECRET not in shown, who
        assert f"thread-{hub['private_thread'].pk}" not in shown, who
        assert "Private budgets" not in shown and "secretive" not in shown, who


def test_members_and_staff_find_the_private_thread_in_the_database_search(hub):
    from django.http import QueryDict

    from search.queries import parse_params
    from search.services.fallback import database_autocomplete, database_search

    for who in READERS:
        user = hub[who]
        results = database_search(user, parse_params(QueryDict(f"q={SECRET}")))
        assert f"thread-{hub['private_thread'].pk}" in {h.doc_id for h in results.hits}, who
        assert any(f"<mark>{SECRET}</mark>" in h.snippet for h in results.hits), who
        typo = database_search(user, parse_params(QueryDict(f"q={SECRET[:-1]}m")))
        assert typo.suggestion == f"{SECRET}", who
        assert any(SECRET in item["label"] for item in database_autocomplete(user, SECRET[:5])), who


def _filters_counts_and_titles_from_the_database(user, hub) -> list[str]:
    """What the database search's filters, facet counts, title highlights and trigram ("did you
    mean") suggestions show ``user``, a line per result, facet value and suggestion."""
    from django.http import QueryDict

    from search.queries import parse_params
    from search.services.fallback import database_search

    private = hub["private"].pk
    shown = []
    for query in (
        f"q=budget&community={private}",
        f"community={private}",
        f"q=budget&tag={SECRET}tag",
        f"tag={SECRET}tag",
        "tag=secretive",
        "q=budget setting&type=thread&type=post",
        "q=plan",
        f"q={SECRET[:-2]}am plan",
        f"q=budget {SECRET[1:]}",
    ):
        results = database_search(user, parse_params(QueryDict(query)))
        shown += [f"total {results.total}", f"suggestion {results.suggestion}"]
        shown += [f"{h.doc_id} {h.title_html} {h.snippet} {h.community}" for h in results.hits]
        shown += [  # a value asked for and not found is shown back (count 0), as typed
            f"{v.value} {v.label} {v.count}" for f in results.facets for v in f.values if v.count
        ]
    return shown


def test_the_database_searchs_filters_counts_titles_and_suggestions_keep_a_secret(hub):
    for who in NON_MEMBERS:
        shown = _filters_counts_and_titles_from_the_database(hub[who], hub)
        text = "\n".join(shown)

        assert SECRET not in text, who
        assert f"thread-{hub['private_thread'].pk}" not in text, who
        assert "Private budgets" not in text and "secretive" not in text, who
        # the private community is neither a facet value nor counted, even when asked for by its id
        assert str(hub["private"].pk) not in [line.split()[0] for line in shown], who
        assert "suggestion " + SECRET not in text, who


def test_the_database_searchs_filters_and_suggestions_serve_those_who_may_read(hub):
    from django.http import QueryDict

    from search.queries import parse_params
    from search.services.fallback import database_search

    for who in READERS:
        user, private = hub[who], hub["private"]
        in_community = database_search(
            user, parse_params(QueryDict(f"q=budget&community={private.pk}"))
        )
        found = {h.doc_id for h in in_community.hits}
        assert found >= {f"thread-{hub['private_thread'].pk}"}, who
        by_tag = database_search(user, parse_params(QueryDict(f"tag={SECRET}tag")))
        assert [h.doc_id for h in by_tag.hits] == [f"thread-{hub['private_thread'].pk}"], who
        assert any(
            f"<mark>{SECRET}</mark>" in (h.title_html or "")
            for h in database_search(user, parse_params(QueryDict(f"q={SECRET}"))).hits
        ), who
        typo = database_search(user, parse_params(QueryDict(f"q={SECRET[:-2]}am plan")))
        assert typo.suggestion == f"{SECRET} plan", who


def test_the_database_searchs_counts_follow_the_matrix(hub):
    from django.http import QueryDict

    from search.queries import parse_params
    from search.services.fallback import database_search

    def counts(user):
        results = database_search(user, parse_params(QueryDict("q=budget setting&type=thread")))
        return results.total, {
            v.label for f in results.facets if f.param == "community" for v in f.values
        }

    assert counts(hub["anonymous"]) == (1, {"Open budgets"})
    assert counts(hub["outsider"])[1] == {"Open budgets"}
    assert counts(hub["member"])[1] == {"Open budgets", "Private budgets"}
    assert counts(hub["staff"]) == (3, {"Open budgets", "Restricted budgets", "Private budgets"})


def test_counts_and_facets_follow_the_matrix(hub):
    def counts(user):
        results = find(user, "q=budget setting")
        return results.total, {
            v.label for f in results.facets if f.param == "community" for v in f.values
        }

    assert counts(hub["anonymous"]) == (1, {"Open budgets"})  # only the open thread
    assert counts(hub["outsider"])[1] == {"Open budgets"}
    assert counts(hub["member"])[1] == {"Open budgets", "Private budgets"}
    assert counts(hub["staff"])[1] == {"Open budgets", "Restricted budgets", "Private budgets"}


def test_joining_and_leaving_change_what_is_found_without_reindexing(hub):
    outsider, private = hub["outsider"], hub["private"]
    assert find(outsider, f"q={SECRET}").total == 0

    do_add_member(private, outsider)
    assert find(outsider, f"q={SECRET}").total == 2  # the thread and its reply

    Membership.objects.filter(community=private, user=outsider).update(
        status=Membership.Status.LEFT
    )
    assert find(outsider, f"q={SECRET}").total == 0


def test_opening_a_community_shows_its_content_to_everyone(hub, search_index):
    private = hub["private"]
    private.visibility = Visibility.OPEN
    private.save_revision().publish()
    search_index.sync()

    assert f"thread-{hub['private_thread'].pk}" in {
        h.doc_id for h in find(anonymous(), f"q={SECRET}").hits
    }
    assert "Private budgets" in {
        h.title for h in find(anonymous(), "q=private budgets&type=community").hits
    }


def test_a_community_made_private_leaves_visitors_suggestions_and_results_before_reindexing(
    hub, search_index
):
    from communities.people.services.membership import do_update_community_settings

    community = hub["open"]
    assert "Open budgets" in str(autocomplete(anonymous(), "open budg"))
    assert "Open budgets" in {h.title for h in find(anonymous(), "q=open budgets").hits}

    do_update_community_settings(
        community,
        by=hub["staff"],
        description="Closed now.",
        tags=[],
        visibility=Visibility.PRIVATE,
    )  # the index is not told yet: its outbox is applied after the commit

    for user in (anonymous(), hub["outsider"]):
        assert "Open budgets" not in str(autocomplete(user, "open budg"))
        assert "Open budgets" not in {h.title for h in find(user, "q=open budgets").hits}
    assert "Open budgets" in str(autocomplete(hub["staff"], "open budg"))


def test_deleting_and_hiding_remove_from_results(hub, search_index):
    reply = PostFactory(thread=hub["open_thread"], body="A reply about glarbnik schemes.")
    search_index.sync()
    assert find(anonymous(), "q=glarbnik").total == 2  # the reply and its thread

    reply.is_hidden = True
    reply.save()
    search_index.sync()
    assert find(anonymous(), "q=glarbnik").total == 0

    hub["open_thread"].delete()
    search_index.sync()
    assert find(anonymous(), "q=budget setting&type=thread").total == 0


def test_facilitators_hiding_a_reply_or_a_thread_removes_them_from_results(hub, search_index):
    from communities.discussions.services.moderation import (
        do_hide_post,
        do_hide_thread,
        do_unhide_thread,
    )

    staff = hub["staff"]
    reply = PostFactory(thread=hub["open_thread"], body="A reply about snorklewick schemes.")
    search_index.sync()
    assert find(anonymous(), "q=snorklewick").total == 2  # the reply and its thread

    do_hide_post(reply, by=staff)
    search_index.sync()
    assert find(anonymous(), "q=snorklewick").total == 0

    do_hide_thread(hub["open_thread"], by=staff)  # a flagged opening post: the whole thread goes
    search_index.sync()
    assert find(anonymous(), "q=budget setting for recycling collections&type=thread").total == 0
    assert f"thread-{hub['open_thread'].pk}" not in {
        h.doc_id for h in find(anonymous(), "q=contamination").hits
    }

    do_unhide_thread(hub["open_thread"], by=staff)
    search_index.sync()
    assert f"thread-{hub['open_thread'].pk}" in {
        h.doc_id for h in find(anonymous(), "q=contamination").hits
    }


def test_drafts_only_to_their_owner_and_editors(search_index):
    owner, other = UserFactory(), UserFactory()
    draft = GoodPracticePage(
        title="Flooglehorn draft",
        summary="s",
        problem="p",
        approach="a",
        outcomes="o",
        owner=owner,
        live=False,
    )
    GoodPracticeIndexPage.objects.get().add_child(instance=draft)
    search_index.sync()

    assert find(owner, "q=flooglehorn").total == 1
    assert find(UserFactory(is_staff=True), "q=flooglehorn").total == 1
    assert find(other, "q=flooglehorn").total == 0
    assert find(anonymous(), "q=flooglehorn").total == 0
    assert autocomplete(other, "flooglehor") == []


def test_profiles_only_to_whom_they_are_visible(search_index):
    public = do_create_member(
        email="a@x.gov.uk",
        password=None,
        display_name="Ada Public",
        bio="wibblequark",
        visibility=ProfileVisibility.PUBLIC,
    )
    members = do_create_member(
        email="b@x.gov.uk",
        password=None,
        display_name="Bea Members",
        bio="wibblequark",
        visibility=ProfileVisibility.MEMBERS,
    )
    private = do_create_member(
        email="c@x.gov.uk",
        password=None,
        display_name="Cy Private",
        bio="wibblequark",
        visibility=ProfileVisibility.PRIVATE,
    )
    search_index.sync()

    def names(user):
        return {h.title for h in find(user, "q=wibblequark").hits}

    assert names(anonymous()) == {"Ada Public"}
    assert names(UserFactory()) == {"Ada Public", "Bea Members"}
    assert names(private) == {"Ada Public", "Bea Members", "Cy Private"}
    assert public and members
