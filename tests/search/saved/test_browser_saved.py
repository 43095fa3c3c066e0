"""Saving a search in a real browser, the pages checked with axe-core at 1280 and 390 px."""

import pytest

from search.models import SavedSearch
from tests.communities.discussions.test_browser_discussions import sign_in
from tests.communities.test_browser_workflows import check_at_both_widths
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_save_a_search_from_the_search_page_then_change_it(page, check_accessibility, home_page):
    member = UserFactory(display_name="Amira Khan", email="amira@leeds.example.gov.uk")
    sign_in(page, member.email)

    page.goto("/search/?q=recycling")
    check_at_both_widths(page, check_accessibility)
    page.get_by_label("Tell me about new results").select_option("immediate")
    page.get_by_role("button", name="Save this search").click()
    page.wait_for_url("**/search/saved/")
    assert "Saved “recycling”." in page.locator(".messages").inner_text()
    check_at_both_widths(page, check_accessibility)

    saved = SavedSearch.objects.get(user=member)
    page.locator(f"#name-{saved.pk}").fill("Bins")
    page.get_by_role("button", name="Save changes to recycling").click()
    page.wait_for_url("**/search/saved/")
    assert page.get_by_role("heading", name="Bins").is_visible()
    saved.refresh_from_db()
    assert (saved.name, saved.frequency) == ("Bins", "immediate")
