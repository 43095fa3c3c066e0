import re

import pytest
from django.core import mail

from communities.discussions.services.moderation import do_flag_post, do_flag_thread
from communities.models import Membership, ProfileVisibility, Visibility
from communities.people.services.communities import do_add_member
from tests.factories import (
    PASSWORD,
    AreaFactory,
    CommunityFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email or username").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_sign_up_confirm_and_edit_profile(page, check_accessibility, home_page):
    AreaFactory(name="Calderdale Metropolitan Borough Council", short_name="Calderdale")
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    check_accessibility(page)

    page.get_by_label("Your name").fill("Nadia Ahmed")
    page.get_by_label("Work email address").fill("nadia@calderdale.example.gov.uk")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Your name").input_value() == "Nadia Ahmed"
    check_accessibility(page)  # with errors shown

    page.get_by_label(re.compile(r"^Password(?! again)")).fill("a-long-and-unusual-passphrase")
    page.get_by_label(re.compile(r"^Password again")).fill("a-long-and-unusual-passphrase")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    check_accessibility(page)

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert "is confirmed" in page.content()
    page.get_by_label("Email or username").fill("nadia@calderdale.example.gov.uk")
    page.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto("/members/me/edit/")
    page.get_by_label("Job title").fill("Housing Strategy Lead")
    page.get_by_label("Council").select_option(label="Calderdale Metropolitan Borough Council")
    page.get_by_label("Expertise").fill("housing, allocations")
    page.get_by_label("About you").fill("Ten years in housing strategy.")
    page.get_by_label("Anyone").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save profile").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Nadia Ahmed"
    assert "Housing Strategy Lead, Calderdale Metropolitan Borough Council" in page.content()
    check_accessibility(page)

    page.goto("/members/")
    assert page.get_by_role("link", name="Nadia Ahmed").is_visible()
    check_accessibility(page)


def test_join_open_request_restricted_and_facilitator_approves(
    chromium, live_server, check_accessibility, home_page
):
    owner = UserFactory(
        email="owner@leeds.example.gov.uk",
        display_name="Olive Owner",
        visibility=ProfileVisibility.PUBLIC,
    )
    requester = UserFactory(email="rita@york.example.gov.uk", display_name="Rita Requester")
    open_community = CommunityFactory(
        title="Waste and recycling", visibility=Visibility.OPEN, owner=owner
    )
    restricted = CommunityFactory(
        title="SEND leaders", visibility=Visibility.RESTRICTED, owner=owner
    )
    thread = ThreadFactory(community=restricted, title="EHCP timeliness")
    do_flag_post(
        PostFactory(thread=thread, body="Call me on 07700 900123"), by=owner, reason="personal_data"
    )
    do_flag_thread(thread, by=owner, reason="off_topic", detail="Not about SEND")

    requester_context = chromium.new_context(base_url=live_server.url)
    page = requester_context.new_page()
    sign_in(page, requester.email)

    page.goto(open_community.url)
    with page.expect_navigation():
        page.get_by_role("button", name="Join this community").click()
    assert "You have joined Waste and recycling" in page.content()
    assert page.get_by_role("button", name="Leave this community").is_visible()

    page.goto(restricted.url)
    check_accessibility(page)
    page.get_by_role("link", name="Ask to join this community").click()
    page.get_by_label("Message to the facilitators").fill("I lead SEND in York.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()
    assert "Your request has been sent" in page.content()

    owner_context = chromium.new_context(base_url=live_server.url)
    facilitator = owner_context.new_page()
    sign_in(facilitator, owner.email)
    facilitator.goto(restricted.url)
    with facilitator.expect_navigation():
        facilitator.get_by_role("link", name=re.compile("Requests to join")).first.click()
    assert "I lead SEND in York." in facilitator.content()
    check_accessibility(facilitator)
    facilitator.get_by_label("Message to Rita Requester").fill("Welcome, Rita")
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Approve Rita Requester").click()
    assert "Rita Requester is now a member." in facilitator.content()

    facilitator.goto(f"/communities/{restricted.slug}/moderation/")
    assert "Call me on" in facilitator.content()
    check_accessibility(facilitator)
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Hide the post").click()
    assert "The post is hidden." in facilitator.content()
    assert (
        "Not about SEND" in facilitator.content()
    )  # the flagged opening post, with a link to its thread
    assert facilitator.get_by_role("link", name="EHCP timeliness", exact=True).is_visible()
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Hide the thread").click()
    assert (
        "The thread is hidden." in facilitator.content()
        and "No flagged posts." in facilitator.content()
    )

    page.goto("/members/me/communities/")
    assert "Welcome, Rita" in page.content()
    assert Membership.objects.get(user=requester, community=restricted).is_active
    requester_context.close()
    owner_context.close()


def test_member_list_works_by_keyboard_and_on_a_phone(
    chromium, live_server, check_accessibility, home_page
):
    owner = UserFactory(
        email="owner@leeds.example.gov.uk",
        display_name="Olive Owner",
        visibility=ProfileVisibility.PUBLIC,
    )
    community = CommunityFactory(title="Net zero councils", visibility=Visibility.OPEN, owner=owner)
    do_add_member(
        community, UserFactory(display_name="Mel Member", visibility=ProfileVisibility.PUBLIC)
    )
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    phone = context.new_page()
    sign_in(phone, owner.email)

    phone.goto(f"/communities/{community.slug}/members/")
    check_accessibility(phone)
    phone.get_by_label("Role of Mel Member").focus()
    phone.keyboard.press("ArrowDown")  # facilitator
    phone.keyboard.press("Tab")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "Mel Member is now facilitator." in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_facilitator_withdraws_an_invitation_from_the_pending_list(
    chromium, live_server, check_accessibility, home_page
):
    owner = UserFactory(email="owner@leeds.example.gov.uk", display_name="Olive Owner")
    community = CommunityFactory(title="Digital leads", visibility=Visibility.PRIVATE, owner=owner)
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, owner.email)

    page.goto(f"/communities/{community.slug}/invite/")
    page.get_by_label("Email address to invite").fill("dev.lead@bristol.example.gov.uk")
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert "We have emailed an invitation to dev.lead@bristol.example.gov.uk" in page.content()
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    pending = page.get_by_role("table", name="Pending invitations")
    assert pending.get_by_role(
        "cell", name="dev.lead@bristol.example.gov.uk", exact=True
    ).is_visible()
    assert pending.get_by_role("columnheader", name="Link expires").is_visible()
    check_accessibility(page)  # with the pending invitations listed

    with page.expect_navigation():
        page.get_by_role(
            "button", name="Withdraw the invitation to dev.lead@bristol.example.gov.uk"
        ).click()
    assert (
        page.get_by_role("status")
        .get_by_text("The invitation to dev.lead@bristol.example.gov.uk is withdrawn")
        .is_visible()
    )
    assert "No invitations are waiting for an answer." in page.content()
    check_accessibility(page)

    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/communities/{community.slug}/invite/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(link)
    assert "This invitation was withdrawn" in page.content()
    context.close()


def test_a_reader_flags_a_threads_opening_post(page, check_accessibility, home_page):
    community = CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    thread = ThreadFactory(
        community=community, title="Buy our caddies", body="Visit example.com for caddies."
    )
    reader = UserFactory(email="rita@york.example.gov.uk")
    sign_in(page, reader.email)

    page.goto(thread.url)
    page.get_by_role("link", name="Flag the opening post").click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Flag the opening post of “Buy our caddies”"
    )
    check_accessibility(page)
    page.get_by_label("Spam or advertising").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Flag the post").click()
    assert "The community's facilitators will look at the post." in page.content()
    assert thread.flags.get().flagged_by == reader
