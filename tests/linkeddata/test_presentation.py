"""Benchmark evidence on a case study says plainly when the author's figure is not the published one."""

import pytest

from communities.models.blocks import BenchmarkEvidenceBlock

pytestmark = pytest.mark.django_db


def _render(**value) -> str:
    block = BenchmarkEvidenceBlock()
    return block.render(block.clean(block.to_python({"measure": "recycling", **value})))


def test_a_quoted_figure_that_differs_from_the_published_one_is_called_out(recycling):
    html = _render(
        area="E08000035",
        period_before="2022-23",
        value_before="38.5",
        period_after="2023-24",
        value_after="42",
        unit="percent",
    )
    assert "The figures quoted differ from the hub’s published figures." in html
    assert (
        "2023/24: quoted 42.0 percent (source: the case study’s author); "
        "published 40.1 percent (source: DEFRA, as published on the hub). "
        "The quoted figure is 1.9 higher."
    ) in html
    assert "2022/23: quoted" not in html  # that one agrees


def test_periods_and_decimals_are_written_one_way_and_the_council_links_to_its_page(recycling):
    html = _render(
        area="E08000035",
        period_before="2022-23",
        value_before="38.5",
        period_after="2023-24",
        value_after="40.1",
    )
    assert "differ from the hub" not in html
    assert "2022-23" not in html and '<th scope="row">2022/23</th>' in html
    assert "<td>38.5</td>" in html and "<td>40.1</td>" in html and "+1.6" in html
    assert '<a href="/doc/area/E08000035">Leeds</a>' in html
    assert "axis starts at zero" in html
    # The chart's value axis includes zero (a level, not a change, so no exaggerated slope).
    assert '<text x="-5" y="' in html and ">0</text>" in html
