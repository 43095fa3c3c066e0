"""A reader compares their council in a real browser; axe-core reports no violations on the data pages."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compare_journey_with_keyboard_and_no_accessibility_violations(
    page, check_accessibility, recycling, home_page
):
    page.goto("/doc/area/E08000035")
    assert page.get_by_role("heading", level=1).inner_text() == "Leeds"
    assert page.get_by_role("table").get_by_text("among the worst third", exact=True).is_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Compare Leeds with similar councils").click()
    page.wait_for_url("**/data/compare/E08000035/")
    assert page.get_by_role(
        "img", name="Recycling rate: Leeds compared with its ONS similar councils (average)"
    ).is_visible()
    assert page.get_by_role("columnheader", name="Average of 3 similar councils").is_visible()
    check_accessibility(page)

    page.get_by_role("radio", name="Councils I choose").check()
    add = page.get_by_role("combobox", name="Add a council to compare")
    for name in ("Bristol", "Manchester"):
        add.fill(name[:4])
        add.press("ArrowDown")
        add.press("Enter")
    page.get_by_role("button", name="Compare", exact=True).press("Enter")
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


def test_compare_on_a_phone_picks_councils_by_keyboard_and_downloads_csv(
    chromium, live_server, check_accessibility, recycling, home_page
):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(15000)
    phone = context.new_page()
    phone.goto("/data/compare/E08000035/")
    check_accessibility(phone)
    add = phone.get_by_role("combobox", name="Add a council to compare")
    add.focus()
    for typed, name in (("bri", "Bristol"), ("man", "Manchester")):
        phone.keyboard.type(typed)
        assert add.get_attribute("aria-expanded") == "true"
        phone.keyboard.press("ArrowDown")
        assert phone.get_by_role("option", name=name).get_attribute("aria-selected") == "true"
        phone.keyboard.press("Enter")
        assert phone.get_by_role("button", name=f"Remove {name}").is_visible()
    assert phone.get_by_role("radio", name="Councils I choose").is_checked()
    phone.get_by_role("button", name="Compare", exact=True).focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**council=E08000003**")
    table = phone.get_by_role("table", name="Recycling rate (percent) by period")
    assert table.get_by_role("row", name="2023/24").inner_text().split("\t") == [
        "2023/24",
        "40.1",
        "44.9",
        "33.2",
    ]
    region = phone.get_by_role("region", name="Recycling rate (percent) by period")
    assert region.get_attribute("tabindex") == "0"
    csv_link = phone.get_by_role("link", name="Download this comparison as CSV")
    with phone.expect_download() as download:
        csv_link.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "period,Leeds (percent),Bristol (percent),Manchester (percent)"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    check_accessibility(phone)

    for path in ("/doc/area/E08000035", "/doc/measure/recycling?period=2023-24"):
        phone.goto(path)
        check_accessibility(phone)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()


def test_find_a_council_on_the_measure_page(page, check_accessibility, recycling, home_page):
    page.goto("/doc/measure/recycling?period=2023-24")
    page.get_by_label("Find a council in this ranking").select_option(label="Leeds")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**#council-E08000035")
    assert page.locator("#council-E08000035").is_visible()
    check_accessibility(page)
