"""A reader compares their council in a real browser; axe-core reports no violations on the data pages."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compare_journey_with_keyboard_and_no_accessibility_violations(
    page, check_accessibility, recycling, home_page
):
    page.goto("/doc/area/E08000035")
    assert page.get_by_role("heading", level=1).inner_text() == "Leeds"
    assert page.get_by_role("table").get_by_text("among the worst third").is_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Compare Leeds with similar councils").click()
    page.wait_for_url("**/data/compare/E08000035/")
    assert page.get_by_role(
        "img", name="Recycling rate: Leeds compared with its ONS similar councils (average)"
    ).is_visible()
    assert page.get_by_role("columnheader", name="Average of 3 similar councils").is_visible()
    check_accessibility(page)

    page.get_by_role("radio", name="Councils I choose").check()
    page.get_by_role("listbox", name="Councils to compare").select_option(
        ["E06000023", "E08000003"]
    )
    page.get_by_role("button", name="Compare").press("Enter")
    page.wait_for_url("**with=picked**")
    table = page.locator("#comparison-table")
    assert table.get_by_role("columnheader", name="Bristol").is_visible()
    assert table.get_by_role("columnheader", name="Manchester").is_visible()
    assert table.get_by_role("row", name="2023/24").inner_text().split("\t")[1:] == [
        "40.1",
        "44.9",
        "33.2",
    ]
    check_accessibility(page)


def test_measure_and_sparql_pages_have_no_accessibility_violations(
    page, check_accessibility, recycling, home_page
):
    page.goto("/doc/measure/recycling?period=2023-24")
    assert page.get_by_role("row").nth(1).inner_text().startswith("1\tBarnsley")
    check_accessibility(page)

    page.goto("/sparql")
    page.get_by_role("button", name="Run query").wait_for()
    check_accessibility(page)


def test_slice_pages_have_no_accessibility_violations(
    page, check_accessibility, recycling, home_page
):
    page.goto("/id/slice/recycling/2023-24")  # the identifier: 303 to the HTML document
    page.wait_for_url("**/doc/slice/recycling/2023-24")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Recycling rate: every council, 2023/24"
    )
    table = page.get_by_role("table", name="Recycling rate by council, 2023/24")
    assert table.get_by_role("row", name="Leeds").inner_text().split("\t") == ["Leeds", "40.1"]
    check_accessibility(page)

    table.get_by_role("link", name="Leeds").click()
    page.wait_for_url("**/doc/area/E08000035")
    page.goto("/doc/slice/recycling/area/E08000035")
    assert page.get_by_role("columnheader", name="Period").is_visible()
    check_accessibility(page)

    page.get_by_role("link", name="2022/23").click()
    page.wait_for_url("**/doc/slice/recycling/2022-23")
    page.goto("/doc/structure/recycling")
    check_accessibility(page)


def test_compare_page_fits_a_phone(chromium, live_server, recycling, home_page):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    phone = context.new_page()
    phone.goto("/data/compare/E08000035/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375
