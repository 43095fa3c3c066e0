"""Wagtail's user bar, shown to editors on every page, keeps pages accessible."""

import pytest

from tests.communities.good_practice.test_browser_good_practice import sign_in
from tests.communities.test_browser_workflows import check_at_both_widths
from tests.factories import GoodPracticeFactory, good_practice_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_sees_the_user_bar_and_pages_stay_accessible(
    page, check_accessibility, home_page
):
    case = GoodPracticeFactory(title="Tag-and-educate cut recycling contamination")
    editor = good_practice_editor()
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    sign_in(page, editor)

    for url in (case.url, "/"):
        page.goto(url)
        userbar = page.get_by_role("complementary", name="Page editing")
        assert userbar.locator("wagtail-userbar").count() == 1
        check_at_both_widths(page, check_accessibility)
