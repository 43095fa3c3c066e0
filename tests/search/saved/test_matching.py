"""The pieces matching is made of agree with the search and the permissions they stand for."""

from __future__ import annotations

import pytest

from communities.models import Membership, Visibility
from communities.people.services.communities import do_add_member
from communities.people.services.membership import do_leave
from communities.permissions import readable_communities, readers_among
from search import synonyms
from search.services.fallback import postgres
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

DOCS = [
    {"title": "Food waste caddies", "body": "Liners for the kitchen caddy.", "tags": ["bins"]},
    {"title": "Garden waste", "summary": "Charges for the brown bin.", "body": "Food too?"},
    {"title": "Recycling centre bookings", "body": "The tip, by appointment."},
]
QUERIES = [
    "food waste",
    '"food waste"',
    "caddies",
    "food -garden",
    "bins OR tip",
    "the",  # a stop word: nothing to look for
    "the food",
    "rubbish",
    "garden NOT charges",
]


def test_the_one_statement_match_agrees_with_the_ranking_engine_pair_by_pair(home_page):
    """``postgres.matches`` (every pair at once) finds exactly what ``postgres.rank`` (the database
    search's own engine) finds for each query and document alone."""
    terms = [synonyms.terms(q) for q in QUERIES]
    pairs = [(qi, di) for qi in range(len(QUERIES)) for di in range(len(DOCS))]

    found = postgres.matches(DOCS, terms, pairs)

    expected = {
        (qi, di)
        for qi, di in pairs
        if terms[qi] and not all(t.negated for t in terms[qi])
        if postgres.rank([DOCS[di]], terms[qi])
    }
    assert found == expected
    assert (0, 0) in found and (3, 1) not in found and (5, 0) not in found


def test_readers_among_is_the_communities_own_rule_for_many_people_at_once(home_page):
    owner = UserFactory()
    open_one = CommunityFactory(owner=owner)
    restricted = CommunityFactory(owner=owner, visibility=Visibility.RESTRICTED)
    private = CommunityFactory(owner=owner, visibility=Visibility.PRIVATE)
    member, leaver, banned, outsider = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    staff = UserFactory()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    for community in (restricted, private):
        for user in (member, leaver, banned):
            do_add_member(community, user)
        do_leave(leaver, community)
        Membership.objects.filter(community=community, user=banned).update(
            status=Membership.Status.BANNED
        )
    people = [owner, member, leaver, banned, outsider, staff]
    communities = [open_one, restricted, private]

    readers = readers_among([p.pk for p in people], [c.pk for c in communities])

    for community in communities:
        one_by_one = {
            p.pk for p in people if readable_communities(p).filter(pk=community.pk).exists()
        }
        assert readers[community.pk] == one_by_one
    assert readers[private.pk] == {owner.pk, member.pk, staff.pk}
    assert readers[open_one.pk] == {p.pk for p in people}
