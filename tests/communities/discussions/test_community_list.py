"""The communities list: 20 a page, filtered by visibility, topic and a search, and never listing a
private community to someone who is not in it."""

import re

import pytest

from communities.benchmarks.data import bulk_communities
from communities.models import CommunityIndexPage, Visibility
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', response.content.decode())


def test_the_list_is_paged_by_twenty_with_links_that_say_where_they_lead(client, home_page):
    owner = UserFactory()
    bulk_communities(CommunityIndexPage.objects.get(), 45, owner.pk, prefix="paged")
    first = client.get("/communities/")
    html = first.content.decode()

    # one in ten is private: 41 listed to an anonymous visitor
    assert len(titles(first)) == 20
    assert '<nav class="pagination" aria-label="Pages of communities">' in html
    assert 'rel="next">Next page</a>' in html and 'rel="prev"' not in html
    assert "41 communities, page 1 of 3." in html
    third = client.get("/communities/?page=3")
    assert len(titles(third)) == 1 and 'rel="prev">Previous page</a>' in third.content.decode()
    everything = [t for n in (1, 2, 3) for t in titles(client.get(f"/communities/?page={n}"))]
    assert len(set(everything)) == 41 and everything == sorted(everything)
    assert client.get("/communities/?page=x").status_code == 400


def test_filters_by_visibility_topic_and_search_keep_to_what_the_visitor_may_see(client):
    open_bins = CommunityFactory(title="Waste and recycling", tags=["bins"])
    CommunityFactory(title="Street lighting", visibility=Visibility.RESTRICTED)
    secret = CommunityFactory(title="Secret recycling board", visibility=Visibility.PRIVATE)

    assert titles(client.get("/communities/?q=recycling")) == ["Waste and recycling"]
    assert titles(client.get("/communities/?visibility=restricted")) == ["Street lighting"]
    assert titles(client.get("/communities/?topic=bins")) == ["Waste and recycling"]
    assert titles(client.get("/communities/?visibility=private")) == []
    no_match = client.get("/communities/?q=parking").content.decode()
    assert "No community matches" in no_match and "0 communities found" in no_match

    member = UserFactory()
    MembershipFactory(community=secret, user=member)
    client.force_login(member)
    assert titles(client.get("/communities/?q=recycling")) == [
        "Secret recycling board",
        "Waste and recycling",
    ]
    assert open_bins.title in titles(client.get("/communities/?visibility=open"))


def test_filters_are_kept_in_the_page_links_and_a_long_search_is_refused_with_a_message(client):
    owner = UserFactory()
    bulk_communities(CommunityIndexPage.objects.get(), 40, owner.pk, prefix="kept")  # 28 open
    html = client.get("/communities/?q=practice&visibility=open").content.decode()
    assert 'href="?q=practice&amp;visibility=open&amp;page=2" rel="next"' in html
    long = client.get("/communities/", {"q": "x" * 201})
    assert long.status_code == 400
    assert "Search for at most 200 characters." in long.content.decode()


@pytest.mark.parametrize("kept", [False, True], ids=["counted", "kept"])
def test_each_reader_is_told_how_many_communities_they_may_know_of(
    client, home_page, request, kept
):
    """The number above the list is kept for everyone and per reader's own private communities:
    exact for each reader, in any order, and at once after they join or leave a private one."""
    from communities.people.services.communities import do_add_member
    from communities.people.services.membership import do_leave

    if kept:
        request.getfixturevalue("kept_fragments")
    owner = UserFactory()
    bulk_communities(CommunityIndexPage.objects.get(), 25, owner.pk, prefix="counted")
    private = CommunityFactory(title="Private board", visibility=Visibility.PRIVATE)
    member, outsider, staff = UserFactory(), UserFactory(), UserFactory(is_staff=True)
    do_add_member(private, member)
    # 25 in bulk, one in ten private (2): 23 open or restricted, and the private board
    expected = {None: 23, outsider: 23, member: 24, staff: 26, owner: 25}  # owner: of all 25

    def told(reader) -> str:
        client.logout()
        if reader is not None:
            client.force_login(reader)
        return re.search(r"(\d+) communit", client.get("/communities/").content.decode()).group(1)

    for order in (list(expected), list(reversed(expected))):
        for reader in order:
            assert told(reader) == str(expected[reader]), reader
    do_leave(member, private)
    assert told(member) == "23" and told(staff) == "26"
    do_add_member(private, outsider)
    assert told(outsider) == "24" and told(None) == "23"
