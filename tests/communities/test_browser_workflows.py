"""The workflows in a real browser, each page checked with axe-core at 1280 and 390 px: a case
study submitted, reviewed and its author told; a post flagged and its facilitator told."""

import re

import pytest

from communities.models import GoodPracticePage, Visibility
from tests.communities.discussions.test_browser_discussions import sign_in
from tests.factories import (
    AreaFactory,
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
    service_area,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_at_both_widths(page, check_accessibility) -> None:
    """axe-core finds nothing on the page on a desktop (1280 px) or a phone (390 px)."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        check_accessibility(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_submit_review_and_the_author_is_told_with_a_link_to_the_live_page(
    page, check_accessibility, home_page
):
    AreaFactory(short_name="Leeds", gss_code="E08000035")
    service_area("Environment and waste › Recycling")
    author = UserFactory(display_name="Amira Khan", email="amira@leeds.example.gov.uk")
    # The reviewer: a facilitator of a community the case study is linked to (editors review too,
    # with Wagtail's user bar on every page; see test_workflow_notifications for them).
    reviewer = UserFactory(display_name="Priya Shah", email="priya@camden.example.gov.uk")
    CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN, owner=reviewer)

    sign_in(page, author.email)
    page.goto("/good-practice/submit/")
    page.get_by_label("Title").fill("Tag-and-educate cut recycling contamination")
    page.get_by_label("Summary").fill("Crews tagged contaminated bins and left feedback.")
    page.get_by_label("The problem").fill("Contamination was 15%.")
    page.get_by_label("The approach").fill("Tag, leave and revisit after two weeks.")
    page.get_by_label("Outcomes").fill("Contamination fell to 9%.")
    page.get_by_label("Councils involved").fill("Leeds")
    page.get_by_label("Environment and waste › Recycling").check()
    page.get_by_label("Waste and recycling").check()
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_url(re.compile(r"/good-practice/submissions/(#.*)?$"))
    sign_out(page)

    sign_in(page, reviewer.email)
    page.get_by_text("Waiting for you").click()  # the header's menu
    page.get_by_role("link", name="Case studies to review: 1").click()
    page.wait_for_url("**/good-practice/review/")
    assert page.get_by_role("heading", level=1).inner_text() == "Good practice awaiting review"
    check_at_both_widths(page, check_accessibility)
    page.get_by_role("link", name="Tag-and-educate cut recycling contamination").click()
    page.get_by_label("Approve and publish").check()
    page.get_by_label("Comment").fill("Clear and well evidenced. Thank you.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    sign_out(page)

    sign_in(page, author.email)
    page.get_by_role("link", name=re.compile(r"Notifications \(1 unread\)")).click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_text("Clear and well evidenced. Thank you.").is_visible()
    check_at_both_widths(page, check_accessibility)
    page.get_by_role("link", name=re.compile("Your case study was published")).click()
    live = GoodPracticePage.objects.get(author=author)
    assert live.live
    page.wait_for_url(f"**{live.url}")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Tag-and-educate cut recycling contamination"
    )
    check_at_both_widths(page, check_accessibility)


def test_a_flag_tells_the_facilitator_who_finds_it_waiting(page, check_accessibility, home_page):
    facilitator = UserFactory(display_name="David Okafor", email="david@brum.example.gov.uk")
    community = CommunityFactory(
        title="Community safety partnerships",
        visibility=Visibility.RESTRICTED,
        owner=facilitator,
    )
    member = UserFactory(display_name="Fatima Begum")
    reader = UserFactory(display_name="Tom Hughes", email="tom@manchester.example.gov.uk")
    MembershipFactory(community=community, user=reader)
    thread = ThreadFactory(community=community, author=member, title="The ASB case review")
    PostFactory(thread=thread, author=member, body="The complainant at 14 Elm Road called again.")

    sign_in(page, reader.email)
    page.goto(thread.url)
    page.get_by_role("link", name=re.compile("Flag")).last.click()
    page.get_by_label("Shares personal or confidential information").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Flag the post").click()
    assert "The community's facilitators will look at the post." in page.content()
    sign_out(page)

    sign_in(page, facilitator.email)
    summary = page.get_by_text("Waiting for you")
    assert "(1)" in summary.inner_text()
    check_at_both_widths(page, check_accessibility)
    page.get_by_role("link", name=re.compile(r"Notifications \(1 unread\)")).click()
    page.wait_for_url("**/notifications/")
    page.get_by_role("link", name=re.compile("A post was flagged")).click()
    page.wait_for_url(f"**/communities/{community.slug}/moderation/")
    assert page.get_by_text("Shares personal or confidential information").first.is_visible()
    check_at_both_widths(page, check_accessibility)
    page.goto("/dashboard/")
    assert page.get_by_role("link", name=re.compile("1 flagged post to moderate")).is_visible()
    check_at_both_widths(page, check_accessibility)
