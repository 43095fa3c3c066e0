import pytest

from communities.models import Visibility
from tests.factories import CommunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_has_no_accessibility_violations(page, check_accessibility, home_page):
    CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    CommunityFactory(title="SEND leaders", visibility=Visibility.RESTRICTED)

    page.goto("/")

    assert page.get_by_role("heading", level=1).inner_text() == "Local Government Knowledge Hub"
    assert page.get_by_role("link", name="Waste and recycling").is_visible()
    check_accessibility(page)


def test_keyboard_user_can_skip_to_content_and_search(page, home_page):
    CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main")  # the fragment navigation completes after the key press returns

    page.get_by_role("searchbox", name="Search the hub").fill("recycling")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=recycling")
    assert page.get_by_role("link", name="Waste and recycling").is_visible()


def test_home_page_works_on_a_phone(chromium, live_server, home_page):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    phone = context.new_page()
    phone.goto("/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert width <= 375
