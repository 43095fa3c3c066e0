"""The compare page: councils picked by name, a clear error when none is chosen, CSV download."""

import pytest

from linkeddata.models import Cluster

pytestmark = pytest.mark.django_db


def _get(client, **query):
    return client.get("/data/compare/E08000035/", {"measure": "recycling", **query})


def test_choosing_councils_i_choose_with_none_chosen_is_an_error(client, recycling):
    response = _get(client, **{"with": "picked"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose at least one council to compare with" in page
    assert "comparison-table" not in page  # no silent default comparison


def test_a_council_typed_by_name_is_added_and_kept(client, recycling):
    page = _get(client, **{"with": "picked", "add": "bristol"}).content.decode()
    assert '<th scope="col">Bristol</th>' in page
    assert '<input type="hidden" name="council" value="E06000023">' in page
    both = _get(
        client, **{"with": "picked", "council": "E06000023", "add": "Manchester"}
    ).content.decode()
    assert '<th scope="col">Bristol</th>' in both and '<th scope="col">Manchester</th>' in both
    removed = _get(
        client,
        **{"with": "picked", "council": ["E06000023", "E08000003"], "remove": "E06000023"},
    ).content.decode()
    assert '<th scope="col">Bristol</th>' not in removed


def test_an_unknown_council_name_says_so_and_loses_nothing(client, recycling):
    response = _get(client, **{"with": "picked", "council": "E06000023", "add": "Atlantis"})
    page = response.content.decode()
    assert "No English council is called “Atlantis”" in page
    assert '<th scope="col">Bristol</th>' in page


def test_the_comparison_downloads_as_csv(client, recycling):
    page = _get(client, **{"with": "picked", "add": "Bristol"}).content.decode()
    assert "Download this comparison as CSV" in page
    response = _get(client, **{"with": "picked", "council": "E06000023", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == [
        "period,Leeds (percent),Bristol (percent)",
        "2022/23,38.5,",
        "2023/24,40.1,44.9",
    ]


def test_compare_by_council_type_and_by_ons_cluster(client, recycling, councils):
    by_type = _get(client, **{"with": "type"}).content.decode()
    assert "Metropolitan district average" in by_type
    cluster = Cluster.objects.create(similarity_type="global", code="B", description="Urban")
    cluster.areas.add(councils["leeds"], councils["bristol"])
    by_cluster = _get(client, **{"with": "cluster"}).content.decode()
    assert "ONS cluster B average" in by_cluster
    assert 'href="/doc/area/E06000023">Bristol<' in by_cluster


def test_measure_ranking_is_paged_and_finds_a_council(client, recycling, settings, monkeypatch):
    from linkeddata import views

    monkeypatch.setattr(views, "RANKING_PAGE_SIZE", 2)
    page = client.get("/doc/measure/recycling", {"period": "2023-24"}).content.decode()
    assert "page 1 of 2" in page and "Next page" in page
    assert 'id="council-E08000035"' not in page  # Leeds is 3rd: on page 2
    found = client.get("/doc/measure/recycling", {"period": "2023-24", "find": "E08000035"})
    assert found.status_code == 302
    assert found["Location"].endswith("?period=2023-24&page=2#council-E08000035")
    second = client.get(found["Location"]).content.decode()
    assert 'id="council-E08000035"' in second and "Previous page" in second
    missing = client.get("/doc/measure/recycling", {"period": "2022-23", "find": "E06000023"})
    assert "Bristol has no figure for 2022/23." in missing.content.decode()


def test_find_my_council_is_prefilled_from_the_members_council(client, recycling, councils):
    from tests.factories import UserFactory

    member = UserFactory()
    member.profile.council = councils["bristol"]
    member.profile.save(update_fields=["council"])
    client.force_login(member)
    page = client.get("/doc/measure/recycling", {"period": "2023-24"}).content.decode()
    assert '<option value="E06000023" selected>Bristol</option>' in page
