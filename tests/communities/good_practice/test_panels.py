"""Practice, communities and people beside the numbers: the area and measure pages' panels and the
dashboard's "Councils like yours", each filtered for its reader."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.good_practice import queries, services
from communities.models import ProfileVisibility, Visibility
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)
from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _evidence(area_code: str, measure: str = "recycling") -> list:
    return [
        (
            "benchmark_evidence",
            {
                "measure": measure,
                "area": area_code,
                "period_before": "2022-23",
                "value_before": Decimal("35.0"),
                "period_after": "2023-24",
                "value_after": Decimal("33.2"),
                "unit": "percent",
            },
        )
    ]


@pytest.fixture
def hub(recycling, councils):  # noqa: F811
    """Leeds (among the worst third on recycling) and its similar councils Manchester, Barnsley and
    Bristol, with case studies, communities of each visibility and members."""
    leeds, manchester, barnsley = councils["leeds"], councils["manchester"], councils["barnsley"]
    own = GoodPracticeFactory(title="Leeds food waste rounds", councils=[leeds])
    bins = GoodPracticeFactory(
        title="Manchester recycling bins", councils=[manchester], body=_evidence("E08000003")
    )
    lettings = GoodPracticeFactory(title="Barnsley lettings", councils=[barnsley])
    draft = GoodPracticeFactory(
        title="Manchester unpublished draft",
        councils=[manchester],
        body=_evidence("E08000003"),
        publish=False,
    )
    services.do_record_adoption(lettings, UserFactory(council=leeds), "We ran it too.")
    open_one = CommunityFactory(title="Waste officers", visibility=Visibility.OPEN)
    quiet = CommunityFactory(title="Quiet open group", visibility=Visibility.OPEN)
    secret = CommunityFactory(title="Secret digital leads", visibility=Visibility.PRIVATE)
    people = {
        "leeds_public": UserFactory(
            council=leeds, display_name="Amira Public", visibility=ProfileVisibility.PUBLIC
        ),
        "leeds_members": UserFactory(
            council=leeds, display_name="Ben Members", visibility=ProfileVisibility.MEMBERS
        ),
        "leeds_private": UserFactory(
            council=leeds, display_name="Cara Private", visibility=ProfileVisibility.PRIVATE
        ),
        "manchester": UserFactory(council=manchester, display_name="Dev Manchester"),
        "outsider": UserFactory(),
    }
    for key in ("leeds_public", "leeds_members"):
        MembershipFactory(community=open_one, user=people[key])
    MembershipFactory(community=secret, user=people["leeds_private"])
    MembershipFactory(community=quiet, user=people["manchester"])
    MembershipFactory(community=secret, user=people["manchester"])
    thread = ThreadFactory(community=open_one, author=people["manchester"])
    PostFactory(thread=thread, author=people["manchester"])
    return {
        "own": own,
        "bins": bins,
        "lettings": lettings,
        "draft": draft,
        "open": open_one,
        "quiet": quiet,
        "secret": secret,
        "people": people,
        **councils,
    }


# -- Read functions ---------------------------------------------------------------------------------


def test_councils_like_yours_says_where_the_council_stands_among_similar_councils_in_words(hub):
    like = queries.councils_like(hub["leeds"], hub["people"]["leeds_public"])
    assert [(s.summary.dataset.measure.slug, s.words) for s in like.standings] == [
        ("recycling", "among the worst third")
    ]
    assert (like.standings[0].summary.similar_rank, like.standings[0].summary.similar_ranked) == (
        3,
        4,
    )
    # Most adopted first, then newest; only published case studies; never the council's own.
    assert [p.title for p in like.good_practice] == [
        "Barnsley lettings",
        "Manchester recycling bins",
    ]
    # Open communities only, the busiest with similar councils' officers first.
    assert [c.title for c in like.communities] == ["Waste officers", "Quiet open group"]
    assert like.communities[0].officer_posts >= 1


def test_weak_measures_bring_similar_councils_practice_with_evidence_on_them(hub):
    weak, practice = queries.practice_for_weak_measures(hub["leeds"])
    assert [m.slug for m in weak] == ["recycling"]
    assert [p.title for p in practice] == ["Manchester recycling bins"]
    # Barnsley ranks among the best third: nothing to learn there.
    assert queries.practice_for_weak_measures(hub["barnsley"]) == ([], [])


# -- The area and measure pages ----------------------------------------------------------------------


def test_area_page_shows_own_and_similar_councils_practice_below_the_figures(client, hub):
    html = client.get("/doc/area/E08000035").content.decode()
    figures = html.index("How Leeds compares")
    own = html.index("Good practice from Leeds")
    assert figures < own
    assert "Leeds food waste rounds" in html
    assert "Good practice from similar councils where Leeds ranks among the worst third" in html
    assert "Manchester recycling bins" in html
    assert "Manchester unpublished draft" not in html
    assert "Barnsley lettings" not in html  # no evidence on a measure where Leeds is weak


def test_area_page_lists_only_communities_the_reader_may_know_exist(client, hub):
    html = client.get("/doc/area/E08000035").content.decode()
    assert "Communities Leeds&#x27;s officers belong to" in html or "officers belong to" in html
    assert "Waste officers" in html
    assert "Secret digital leads" not in html
    client.force_login(hub["people"]["outsider"])
    assert "Secret digital leads" not in client.get("/doc/area/E08000035").content.decode()
    client.force_login(hub["people"]["manchester"])  # a member of the private community
    assert "Secret digital leads" in client.get("/doc/area/E08000035").content.decode()


@pytest.mark.parametrize(
    ("reader", "shown"),
    [
        (None, {"Amira Public"}),
        ("outsider", {"Amira Public", "Ben Members"}),
        ("leeds_private", {"Amira Public", "Ben Members", "Cara Private"}),
        ("staff", {"Amira Public", "Ben Members", "Cara Private"}),
    ],
)
def test_area_page_members_follow_profile_visibility(client, hub, reader, shown):
    if reader == "staff":
        client.force_login(UserFactory(is_staff=True))
    elif reader is not None:
        client.force_login(hub["people"][reader])
    html = client.get("/doc/area/E08000035").content.decode()
    names = {"Amira Public", "Ben Members", "Cara Private"}
    assert {name for name in names if name in html} == shown
    assert "Members from Leeds" in html


def test_area_without_anything_to_show_has_no_empty_panels(client, councils):  # noqa: F811
    html = client.get("/doc/area/E06000023").content.decode()
    assert "Bristol has not published good practice yet." in html
    assert "officers belong to" not in html and "Members from Bristol" not in html


def test_measure_page_lists_practice_whose_evidence_uses_the_measure(client, hub):
    html = client.get("/doc/measure/recycling").content.decode()
    assert "Good practice with evidence on recycling rate" in html
    assert "Manchester recycling bins" in html
    assert "Leeds food waste rounds" not in html and "unpublished draft" not in html


def test_kept_practice_panels_show_every_reader_the_same_and_drop_an_unpublished_case_study(
    client, hub, kept_fragments
):
    """The area and measure pages' good-practice panels are kept (they show only published case
    studies and public figures); unpublishing one replaces them for every reader at once."""
    readers = [None, hub["people"]["outsider"], hub["people"]["leeds_private"]]
    for reader in readers * 2:  # the second round is served from the kept panels
        client.logout()
        if reader is not None:
            client.force_login(reader)
        area = client.get("/doc/area/E08000035").content.decode()
        measure = client.get("/doc/measure/recycling").content.decode()
        assert "Manchester recycling bins" in area and "Manchester recycling bins" in measure
        assert "Manchester unpublished draft" not in area + measure

    hub["bins"].unpublish()  # Wagtail's own unpublishing, as the admin does
    for reader in readers:
        client.logout()
        if reader is not None:
            client.force_login(reader)
        area = client.get("/doc/area/E08000035").content.decode()
        measure = client.get("/doc/measure/recycling").content.decode()
        assert "Manchester recycling bins" not in area + measure
        assert "Leeds food waste rounds" in area


# -- The dashboard ------------------------------------------------------------------------------------


def test_dashboard_shows_councils_like_yours_for_the_members_council(client, hub):
    client.force_login(hub["people"]["leeds_public"])
    html = client.get("/dashboard/").content.decode()
    assert "Councils like yours" in html
    assert "3 of 4, <strong>among the worst third</strong> of similar councils" in html
    assert "Barnsley lettings" in html and "Manchester recycling bins" in html
    assert "Waste officers" in html and "Secret digital leads" not in html


def test_dashboard_without_a_council_links_to_set_it(client, hub):
    client.force_login(hub["people"]["outsider"])
    html = client.get("/dashboard/").content.decode()
    assert "Councils like yours" in html
    assert 'href="/members/me/edit/">Set your council</a>' in html


# -- Queries stay flat ---------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    client.get(url)  # warm: the site's root paths and the like are cached after the first request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more(hub, n: int) -> None:
    for i in range(n):
        member = UserFactory(council=hub["leeds"], visibility=ProfileVisibility.PUBLIC)
        community = CommunityFactory(title=f"More {n}-{i}")
        MembershipFactory(community=community, user=member)
        GoodPracticeFactory(title=f"Leeds more {n}-{i}", councils=[hub["leeds"]])
        GoodPracticeFactory(
            title=f"Manchester more {n}-{i}",
            councils=[hub["manchester"]],
            body=_evidence("E08000003"),
        )


def test_panels_query_counts_do_not_grow_with_the_data(client, hub):
    client.force_login(hub["people"]["leeds_public"])
    _more(hub, 1)
    small = [_queries(client, u) for u in ("/doc/area/E08000035", "/dashboard/")]
    _more(hub, 4)
    large = [_queries(client, u) for u in ("/doc/area/E08000035", "/dashboard/")]
    assert large == small
