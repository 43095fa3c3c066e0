"""No N+1 on the data pages: an area, a measure and the comparison run the same number of queries with
six observations of four councils as with hundreds of observations of forty, anonymous and signed in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linkeddata.models import Measure
from linkeddata.services.imports import do_import_observations
from tests.factories import AreaFactory, UserFactory
from tests.linkeddata.conftest import CSV

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    client.get(url)  # the process's caches filled, as a running site has them
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def data_pages(client) -> dict[str, int]:
    measure = Measure.objects.get(datasets__slug="recycling")
    urls = [
        "/doc/area/E08000035",
        f"/doc/measure/{measure.slug}",
        "/data/compare/E08000035/",
        "/data/",
    ]
    return {url: queries(client, url) for url in urls}


def grow(recycling, tmp_path, councils: int) -> None:
    """``councils`` more councils, each with six years of figures, imported through the service."""
    rows = [CSV.rstrip("\n")]
    for n in range(councils):
        area = AreaFactory(region="Yorkshire and The Humber", authority_type="MD")
        for year in range(2018, 2024):
            rows.append(
                # above Leeds's figures: Leeds stays among the worst third at both sizes, so the
                # area page shows the same panels (similar councils' practice on its weak measures)
                f"{area.gss_code},{area.short_name},{year}/{str(year + 1)[2:]},{45 + n % 20},percent"
            )
    path = tmp_path / f"recycling-{councils}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    do_import_observations(path, recycling)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_data_pages_on_a_small_and_a_larger_set_of_figures(
    client, recycling, tmp_path, signed_in
):
    if signed_in:
        client.force_login(UserFactory())
    small = data_pages(client)
    grow(recycling, tmp_path, 40)
    assert recycling.observations.count() > 200
    assert data_pages(client) == small


def test_kept_rankings_and_comparisons_on_a_small_and_a_larger_set_of_figures(
    client, recycling, tmp_path, settings
):
    """With the ranking and the comparison kept (``FRAGMENT_CACHE_SECONDS``), a signed-in reader's
    measure and compare pages run the same number of queries at both sizes, and fewer than when
    they are rendered every time."""
    from django.core.cache import cache

    client.force_login(UserFactory())
    urls = ["/doc/measure/recycling", "/data/compare/E08000035/"]
    rendered = {url: queries(client, url) for url in urls}
    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    try:
        small = {url: queries(client, url) for url in urls}
        grow(recycling, tmp_path, 40)  # a publication: the kept parts are made again
        large = {url: queries(client, url) for url in urls}
    finally:
        cache.clear()
    assert small == large
    assert all(small[url] < rendered[url] for url in urls), (small, rendered)
