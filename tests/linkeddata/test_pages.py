"""What people see: area, measure and compare pages, read from the tables."""

import pytest

pytestmark = pytest.mark.django_db


def test_area_page_shows_latest_value_trend_ranks_and_polarity(client, recycling):
    page = client.get("/doc/area/E08000035").content.decode()
    assert "Recycling rate" in page and "higher is better" in page
    assert "40.1" in page and "2023/24" in page
    assert "▲ up 1.6 since 2022/23: <strong>improving</strong>" in page
    # 2023/24: Barnsley 45.0, Bristol 44.9, Leeds 40.1, Manchester 33.2 -> Leeds 3rd of 4 overall and among similar.
    assert "3 of 4: <strong>among the worst third</strong>" in page
    assert "<td>3 of 4</td>" in page
    assert 'href="/doc/area/E08000003"' in page  # a similar council


def test_manchester_is_getting_worse(client, recycling):
    page = client.get("/doc/area/E08000003").content.decode()
    assert "▼ down -1.8 since 2022/23: <strong>getting worse</strong>" in page


def test_measure_page_ranks_filters_and_downloads(client, recycling):
    page = client.get("/doc/measure/recycling", {"period": "2023-24"}).content.decode()
    assert (
        page.index("Barnsley")
        < page.index("Bristol")
        < page.index("Leeds")
        < page.index("Manchester")
    )
    assert '<svg role="img"' in page and "<desc" in page
    filtered = client.get(
        "/doc/measure/recycling", {"period": "2023-24", "region": "Yorkshire and The Humber"}
    ).content.decode()
    assert "Leeds" in filtered and "Manchester</a>" not in filtered
    download = client.get("/doc/measure/recycling.csv", {"period": "2023-24", "type": "UA"})
    assert download.content.decode().splitlines() == [
        "rank,gss_code,area_name,period,value,unit",
        "1,E06000023,Bristol,2023/24,44.9,percent",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"with": "similar"}, "Average of 3 similar councils"),
        ({"with": "region"}, "Yorkshire and The Humber average"),
        ({"with": "picked", "council": ["E06000023"]}, '<th scope="col">Bristol</th>'),
    ],
)
def test_compare_page_against_similar_region_or_picked_councils(client, recycling, query, expected):
    page = client.get(
        "/data/compare/E08000035/", {"measure": "recycling", **query}
    ).content.decode()
    assert expected in page
    assert '<svg role="img"' in page
    assert '<th scope="row">2023/24</th>' in page


def test_sparql_page_has_an_editor_and_runnable_examples(client, recycling):
    page = client.get("/sparql").content.decode()
    assert '<label for="query">Query</label>' in page and "<textarea" in page
    assert page.count("<h3") == 7 and "Run here" in page
    assert "Results as <a" in page and "format=csv" in page
