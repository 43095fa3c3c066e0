"""Good practice in a real browser: submitting from the front end, the library and a case study,
each checked with axe-core."""

import re
from datetime import date
from decimal import Decimal

import pytest

from communities.good_practice import services as services
from communities.models import GoodPracticePage
from tests.factories import PASSWORD, AreaFactory, GoodPracticeFactory, UserFactory, service_area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email or username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_member_submits_good_practice_through_the_form(page, check_accessibility, home_page):
    AreaFactory(short_name="Leeds", gss_code="E08000035")
    author = UserFactory(display_name="Amira Khan")
    sign_in(page, author)

    page.goto("/good-practice/")
    with page.expect_navigation():
        page.get_by_role("link", name="Share good practice").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Share good practice"
    check_accessibility(page)

    page.get_by_label("Summary").fill("Crews tagged contaminated bins and left feedback.")
    page.get_by_label("The problem").fill("Contamination was 15%.")
    page.get_by_label("The approach").fill("Tag, leave and revisit after two weeks.")
    page.get_by_label("Outcomes").fill("Contamination fell to 9%.")
    page.get_by_label("Savings (£)").fill("-5")
    page.get_by_label("Councils involved").fill("Leeds\nE99999999")
    page.get_by_label("Environment and waste › Recycling").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send for review").click()

    # Errors next to each field, an error summary linking to them, and what was typed kept.
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert (
        "Enter savings of zero or more."
        in page.locator("label[for=id_savings_amount]").inner_text()
    )
    assert "No council matches 'E99999999'" in page.locator("label[for=id_councils]").inner_text()
    assert "This field is required." in page.locator("label[for=id_title]").inner_text()
    assert page.get_by_label("The problem").input_value() == "Contamination was 15%."
    assert page.get_by_label("Environment and waste › Recycling").is_checked()
    check_accessibility(page)

    page.get_by_role("link", name="Title: This field is required.").click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    page.keyboard.type("Tag-and-educate cut recycling contamination")
    page.get_by_label("Savings (£)").fill("180000")
    page.get_by_label("Savings period").select_option("per-year")
    page.get_by_label("Councils involved").fill("Leeds")
    page.get_by_role("button", name="Send for review").click()

    page.wait_for_url(re.compile(r"/good-practice/submissions/(#.*)?$"))
    row = page.get_by_role("row", name="Tag-and-educate cut recycling contamination")
    assert "Waiting for review" in row.inner_text()
    check_accessibility(page)
    submitted = GoodPracticePage.objects.get(author=author)
    assert not submitted.live and submitted.savings_amount == Decimal("180000")


def test_library_and_case_study_are_accessible_and_filter_without_javascript(
    chromium, live_server, check_accessibility, home_page
):
    recycling = service_area("Environment and waste › Recycling")
    safeguarding = service_area("Adult social care › Safeguarding")
    north = AreaFactory(short_name="Northtown", region="North West")
    south = AreaFactory(short_name="Southshire", region="South East")
    contact = UserFactory(display_name="Rachel Green", visibility="public")
    case = GoodPracticeFactory(
        author=contact,
        title="Bin tagging cut contamination",
        councils=[north],
        service_areas=[recycling],
        tags=["recycling"],
        practice_date=date(2023, 3, 1),
        savings_amount=Decimal("180000"),
        savings_period="per-year",
        body=[
            ("key_figure", {"value": "9", "unit": "%", "label": "contamination after 12 weeks"}),
            (
                "steps",
                {"heading": "How we did it", "steps": ["Brief crews", "Tag bins", "Revisit"]},
            ),
            (
                "quotation",
                {"quote": "Residents wanted to get it right.", "attribution": "Waste manager"},
            ),
            (
                "benchmark_evidence",
                {
                    "measure": "household-recycling-rate",
                    "area": north.gss_code,
                    "period_before": "2020-21",
                    "value_before": Decimal("37.1"),
                    "period_after": "2022-23",
                    "value_after": Decimal("39.8"),
                    "unit": "%",
                },
            ),
        ],
    )
    GoodPracticeFactory(
        title="Self-neglect panel",
        councils=[south],
        service_areas=[safeguarding],
        tags=["recycling"],
    )
    services.do_record_adoption(case, UserFactory(council=south), "Ran it on six rounds.")

    # JavaScript off: the filters are a plain form.
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    browser_page = context.new_page()
    browser_page.goto("/good-practice/")
    browser_page.get_by_role("group", name="Region").get_by_label("North West").check()
    with browser_page.expect_navigation():
        browser_page.get_by_role("button", name="Apply").click()
    assert browser_page.get_by_role("heading", name="1 case study").is_visible()
    assert browser_page.get_by_role("link", name="Bin tagging cut contamination").is_visible()
    context.close()

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    browser_page = context.new_page()
    browser_page.goto("/good-practice/?sort=adopted")
    check_accessibility(browser_page)
    browser_page.get_by_role("link", name="Bin tagging cut contamination").click()
    assert (
        browser_page.get_by_role("heading", level=1).inner_text() == "Bin tagging cut contamination"
    )
    assert browser_page.get_by_role("table").first.is_visible()
    assert "Southshire: Ran it on six rounds." in browser_page.content()
    assert browser_page.get_by_role(
        "link", name="Self-neglect panel"
    ).is_visible()  # related by tag
    check_accessibility(browser_page)
    context.close()

    phone = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}
    ).new_page()
    for url in ["/good-practice/", case.url]:
        phone.goto(url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, url
    phone.context.close()
