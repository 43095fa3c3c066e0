"""The search page in a real browser: accessible, usable by keyboard, works without JavaScript."""

import pytest

from tests.factories import CommunityFactory, PostFactory, ThreadFactory
from tests.search.conftest import SearchIndex

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def indexed(elasticsearch, home_page):
    from search.indexes import ensure_index

    ensure_index()
    community = CommunityFactory(title="Waste and recycling", tags=["recycling"])
    for i in range(3):
        thread = ThreadFactory(
            community=community,
            title=f"Recycling contamination {i}",
            body="Tagging bins.",
            tags=["recycling"],
        )
    PostFactory(thread=thread, body="Contamination fell after tagging.")
    SearchIndex(elasticsearch).sync()


def test_search_results_and_filters_have_no_accessibility_violations(
    page, check_accessibility, indexed
):
    page.goto("/search/?q=recycling")

    assert page.get_by_role("heading", level=1).inner_text() == "Search"
    assert "results for “recycling”" in page.locator("#result-count").inner_text()
    check_accessibility(page)

    page.get_by_role("checkbox", name="Thread").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**type=thread**")
    assert page.get_by_role("link", name="Remove filter: type thread").is_visible()
    check_accessibility(page)


def test_autocomplete_suggests_as_the_user_types_and_works_by_keyboard(
    page, check_accessibility, indexed
):
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search the hub")
    box.press_sequentially("recycling cont", delay=20)
    option = page.get_by_role("option").first
    option.wait_for()
    assert "Recycling contamination" in option.inner_text()
    check_accessibility(page)

    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/recycling-contamination-*/")


def test_on_a_phone_the_search_pages_own_box_suggests_and_works_by_keyboard(
    page, check_accessibility, indexed
):
    """At phone width the header's box is inside the closed menu: the search page's own box is the
    one a reader types into, and it suggests as the header's does."""
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/search/?q=recycling")
    assert not page.get_by_role("searchbox", name="Search the hub").is_visible()
    box = page.get_by_role("searchbox", name="Search for")
    box.fill("")
    box.press_sequentially("recycling cont", delay=20)
    option = page.get_by_role("listbox", name="Suggestions").get_by_role("option").first
    option.wait_for()
    assert "Recycling contamination" in option.inner_text()
    assert box.get_attribute("aria-controls") == "search-q-suggestions"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_accessibility(page)

    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "search-q-suggestions-0"
    box.press("Enter")
    page.wait_for_url("**/recycling-contamination-*/")


def test_filters_work_without_javascript(chromium, live_server, indexed):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    no_js = context.new_page()
    no_js.goto("/search/?q=contamination")
    no_js.get_by_role("checkbox", name="Reply").check()
    no_js.get_by_role("button", name="Apply filters").click()
    no_js.wait_for_url("**type=post**")
    assert "1 result for" in no_js.locator("#result-count").inner_text()
    context.close()
