"""The hub's pages at desktop and phone width: the header menu by keyboard at 390 px, and axe-core
with no violations on every page this finish touches."""

import pytest

from communities.models import Visibility
from tests.communities.good_practice.test_browser_good_practice import sign_in
from tests.factories import CommunityFactory, GoodPracticeFactory, ThreadFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


def _context(chromium, live_server, width):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15000)
    return context


def test_header_menu_at_phone_width_works_by_keyboard(chromium, live_server, home_page):
    context = _context(chromium, live_server, 390)
    phone = context.new_page()
    phone.goto("/")
    menu = phone.get_by_role("button", name="Menu")
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not phone.get_by_role("link", name="Communities").is_visible()
    menu.focus()
    phone.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    communities = phone.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Communities"
    )
    assert communities.is_visible()
    phone.keyboard.press("Tab")
    assert communities.evaluate("el => el === document.activeElement")
    phone.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()

    # Without JavaScript there is no menu button and every link is shown.
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 900}, java_script_enabled=False
    )
    plain = context.new_page()
    plain.goto("/")
    assert not plain.get_by_role("button", name="Menu").is_visible()
    assert plain.get_by_role("link", name="Communities").is_visible()
    context.close()


def test_pages_have_no_accessibility_violations_at_desktop_and_phone_width(
    chromium, live_server, check_accessibility, home_page
):
    community = CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    thread = ThreadFactory(
        community=community, title="Bin tagging that works", tags=["contamination"]
    )
    case = GoodPracticeFactory(title="Weekly food waste roll-out")
    member = UserFactory()
    pages = [
        "/",
        "/communities/",
        community.url,
        thread.url,
        "/good-practice/",
        case.url,
        "/accessibility/",
        "/privacy/",
        "/cookies/",
        "/contact/",
    ]
    for width in WIDTHS:
        context = _context(chromium, live_server, width)
        browser_page = context.new_page()
        for path in pages:
            browser_page.goto(path)
            check_accessibility(browser_page)
            assert browser_page.evaluate("document.documentElement.scrollWidth") <= width, path
        sign_in(browser_page, member)
        response = browser_page.goto("/search/analytics/")
        assert response.status == 403
        assert (
            browser_page.get_by_role("heading", level=1).inner_text()
            == "You do not have permission to see this page"
        )
        check_accessibility(browser_page)
        context.close()
