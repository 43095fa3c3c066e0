"""A member's journey through a discussion in a real browser, by mouse and by keyboard alone.

The one-click join belongs to the people area of the hub; until it is in this branch the
membership is created in setup (the member has just joined).
"""

import pytest

from communities.discussions.services.notifications import do_set_watch
from communities.models import ThreadPage, Visibility
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(home_page):
    community = CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    user = UserFactory(display_name="Amira Khan", email="amira@leeds.example.gov.uk")
    MembershipFactory(community=community, user=user)
    return community, user


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email or username").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_by_text("Signed in as").is_visible()


def test_start_reply_accept_and_see_it_answered(page, journey, check_accessibility):
    community, user = journey
    sign_in(page, user.email)
    page.goto(community.url)
    check_accessibility(page)

    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Weekly food waste collections")
    page.get_by_label("Your question or topic").fill("How did you **roll out** caddies?")
    page.get_by_role("button", name="Start the thread").click()
    page.wait_for_selector("h1:has-text('Weekly food waste collections')")

    page.get_by_label("Your reply").fill("We delivered caddies street by street.")
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_selector("text=We delivered caddies street by street.")
    check_accessibility(page)

    page.get_by_role("button", name="Mark as the answer").click()
    page.wait_for_selector(".badge-accepted:has-text('Accepted answer')")
    page.goto(community.url)
    item = page.get_by_role("listitem").filter(has_text="Weekly food waste collections")
    assert "Answered" in item.inner_text()
    assert ThreadPage.objects.get().accepted_post is not None


def tab_to(page, locator, limit=80):
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"could not reach {locator} with the Tab key")


def test_the_same_journey_by_keyboard_alone(page, journey):
    community, user = journey
    page.goto("/accounts/login/")
    tab_to(page, page.get_by_label("Email or username"))
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_by_text("Signed in as").is_visible()

    page.goto(community.url)
    tab_to(page, page.get_by_role("link", name="Start a thread"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/new-thread/")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Keyboard only question")
    tab_to(page, page.get_by_label("Your question or topic"))
    page.keyboard.type("Does this work without a mouse?")
    tab_to(page, page.get_by_role("button", name="Start the thread"))
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Keyboard only question')")

    tab_to(page, page.get_by_label("Your reply"))
    page.keyboard.type("Yes, every control is reachable.")
    tab_to(page, page.get_by_role("button", name="Post reply"))
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Yes, every control is reachable.")

    tab_to(page, page.get_by_role("button", name="Mark as the answer"))
    page.keyboard.press("Enter")
    page.wait_for_selector(".badge-accepted:has-text('Accepted answer')")
    page.goto(community.url)
    assert (
        "Answered"
        in page.get_by_role("listitem").filter(has_text="Keyboard only question").inner_text()
    )


def test_dashboard_and_notifications_have_no_accessibility_violations(
    page, journey, check_accessibility
):
    community, user = journey
    other = UserFactory(display_name="Tom Hughes")
    MembershipFactory(community=community, user=other)
    do_set_watch(user, level="watching", community=community)
    from tests.factories import ThreadFactory

    thread = ThreadFactory(community=community, author=other, title="Contamination rates")
    PostFactory(thread=thread, author=other, body="Ours is 12%. What is yours, @amira-khan?")
    sign_in(page, user.email)

    page.goto("/notifications/")
    assert page.get_by_role("link", name="Notifications (2 unread)").is_visible()
    check_accessibility(page)
    page.goto("/dashboard/")
    assert page.get_by_role("link", name="Contamination rates").first.is_visible()
    check_accessibility(page)
    page.goto("/notifications/settings/")
    check_accessibility(page)
