"""A demo member asks about one of her council's figures in a real browser: from the Leeds area page,
through signing in and back, to the thread showing the figure and the area page listing it; axe-core
finds nothing at 1280 and 390 px on each page. Before it, on the same demo, she sees councils like
hers (``tests/communities/good_practice/test_browser_councils_like_yours.py``)."""

import pytest

from hub.services.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.communities.good_practice.test_browser_councils_like_yours import (
    see_councils_like_hers_and_leeds_on_the_map,
)
from tests.communities.test_browser_workflows import check_at_both_widths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.long]


def test_a_leeds_member_sees_councils_like_hers_then_asks_about_a_figure_from_the_area_page(
    prepared_demo, page, check_accessibility
):
    page.goto("/accounts/login/")
    page.get_by_label("Email or username").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_by_text("Signed in as").is_visible()
    see_councils_like_hers_and_leeds_on_the_map(page, check_accessibility)
    page.context.clear_cookies()  # signed out: the question starts from a visitor's area page

    page.goto("/doc/area/E08000035")
    panel = page.get_by_role("region", name="Discussions about Leeds’s figures")
    assert panel.get_by_role(
        "link", name="Leeds: why has our recycling rate been stuck"
    ).is_visible()
    check_at_both_widths(page, check_accessibility)

    page.get_by_role(
        "link", name="Ask about this figure (Greenhouse gas emissions per person"
    ).click()
    page.wait_for_url("**/discussions/ask-about-a-figure/**")
    figure = page.get_by_role("region", name="The figure")
    assert "Leeds, greenhouse gas emissions per person" in figure.inner_text()
    assert figure.get_by_role("img").is_visible()  # the trend, with its table below
    assert figure.get_by_role("table").is_visible()
    check_at_both_widths(page, check_accessibility)

    page.get_by_role("link", name="Sign in to ask about this figure").click()
    page.get_by_label("Email or username").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/discussions/ask-about-a-figure/**")  # back to the same figure
    assert page.get_by_text("Signed in as").is_visible()

    community = page.get_by_label("Community to ask in")
    community.select_option(label="Net zero councils")
    title = page.get_by_label("Title (5 to 200 characters)")
    assert title.input_value().startswith("Leeds: greenhouse gas emissions per person in ")
    title.fill("Leeds: what is behind the fall in emissions per person?")
    page.get_by_label("Your question (Markdown)").fill(
        "How much of the fall is the grid, and how much our own programmes?"
    )
    check_at_both_widths(page, check_accessibility)
    page.get_by_role("button", name="Ask in this community").click()

    page.wait_for_url("**/communities/net-zero-councils/**")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Leeds: what is behind the fall in emissions per person?"
    )
    figure = page.get_by_role("region", name="The figure this discussion is about")
    assert "tonnes CO2e per person" in figure.inner_text()
    assert figure.get_by_text("councils in").is_visible()  # the rank, in words
    check_at_both_widths(page, check_accessibility)

    figure.get_by_role("link", name="All of Leeds’s figures").click()
    page.wait_for_url("**/doc/area/E08000035")
    panel = page.get_by_role("region", name="Discussions about Leeds’s figures")
    assert panel.get_by_role(
        "link", name="Leeds: what is behind the fall in emissions per person?"
    ).is_visible()
    assert "in Net zero councils · 0 replies" in panel.inner_text()
    check_at_both_widths(page, check_accessibility)
