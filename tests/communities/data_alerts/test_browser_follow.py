"""A member follows figures in a real browser; axe-core reports no violations at desktop and phone width."""

import pytest

from communities.people.services.profiles import do_update_profile
from tests.communities.discussions.test_browser_discussions import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_from_the_data_pages_and_manage_follows(
    page, check_accessibility, recycling, councils, home_page
):
    member = UserFactory()
    do_update_profile(
        member.profile, by=member, display_name="Ada Officer", council=councils["leeds"]
    )
    sign_in(page, member.email)

    page.goto("/doc/area/E08000003")
    panel = page.get_by_role("region", name="Follow Manchester")
    check_accessibility(page)
    panel.get_by_label("Or follow Manchester on one measure").select_option(label="Recycling rate")
    panel.get_by_role("button", name="Follow", exact=True).press("Enter")
    page.wait_for_load_state()
    assert page.get_by_text("You follow Manchester on Recycling rate").is_visible()

    page.goto("/doc/measure/recycling?period=2023-24")
    page.get_by_role("button", name="Follow recycling rate").click()
    page.wait_for_load_state()
    assert page.get_by_text("You follow this measure.").is_visible()
    check_accessibility(page)

    page.goto("/notifications/settings/")
    figures = page.get_by_role("region", name="Figures you follow")
    assert figures.get_by_text("Your council, Leeds: you follow its figures.").is_visible()
    assert figures.get_by_text("Manchester on recycling rate").is_visible()
    check_accessibility(page)

    page.set_viewport_size({"width": 390, "height": 900})
    for path in ("/doc/area/E08000035", "/notifications/settings/"):
        page.goto(path)
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.get_by_role("button", name="Stop following my council").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your council, Leeds: switched off.").is_visible()
