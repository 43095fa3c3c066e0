"""A reader runs a query on the SPARQL page in a real browser: the rows come back as a table in the site's
layout, a mistake is shown beside the query, and axe-core reports no violations at desktop and phone width."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUERY = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
SELECT ?area ?value WHERE {
  ?obs qb:dataSet ?dataset ; sdmx-dimension:refArea ?area ;
       sdmx-dimension:refPeriod <http://reference.data.gov.uk/id/government-year/2023-2024> ;
       ?measure ?value .
  FILTER(isLiteral(?value) && datatype(?value) = <http://www.w3.org/2001/XMLSchema#decimal>)
} ORDER BY ?value"""


@pytest.mark.parametrize("width", [1280, 390])
def test_a_select_is_shown_as_a_table_and_a_mistake_beside_the_query(
    chromium, live_server, check_accessibility, recycling, home_page, width
):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto("/sparql")
    page.get_by_label("Query").fill(QUERY)
    page.get_by_role("button", name="Run query").click()
    page.wait_for_url("**/sparql?query=**")
    table = page.get_by_role("table", name="4 rows")
    assert table.get_by_role("columnheader", name="value").is_visible()
    values = [float(row.inner_text().split("\t")[1]) for row in table.get_by_role("row").all()[1:]]
    assert values == [33.2, 40.1, 44.9, 45.0]
    assert page.get_by_label("Query").input_value() == QUERY  # kept in the editor
    csv = page.get_by_role("link", name="CSV", exact=True).get_attribute("href")
    assert csv is not None and csv.endswith("&format=csv")
    check_accessibility(page)
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_label("Query").fill("SELECT ?x WHERE { ?x ")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_url("**/sparql?query=**")
    assert "not valid SPARQL" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Query").input_value() == "SELECT ?x WHERE { ?x "
    check_accessibility(page)
    context.close()


def test_each_example_link_gives_its_format(page, recycling, home_page):
    page.goto("/sparql")
    for title, label, media_type in [
        ("One council's recycling rate over time", "CSV", "text/csv"),
        ("The datasets in the catalogue", "JSON", "application/sparql-results+json"),
        ("Describe one observation", "Turtle", "text/turtle"),
        ("Describe one observation", "N-Triples", "application/n-triples"),
    ]:
        example = page.locator("section.ld-example").filter(
            has=page.get_by_role("heading", name=title, exact=True)
        )
        href = example.get_by_role("link", name=re.compile(f"^{label}")).get_attribute("href")
        assert href is not None
        response = page.request.get(href)
        assert response.status == 200, (title, label, response.text())
        assert response.headers["content-type"].startswith(media_type)
