"""Accounts that cannot be turned against the hub: sign-in throttling, what a new password revokes,
limits on account emails, names without links, and pages that do not say which addresses exist."""

import logging
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from communities.discussions.services.notifications import do_reset_feed_token, preferences_for
from communities.models import (
    EmailConfirmation,
    Invitation,
    NotificationSettings,
    PersonalToken,
    Profile,
    ProfileVisibility,
    SignInThrottle,
    Visibility,
)
from communities.models.tokens import token_digest
from communities.people.services.tokens import do_create_token
from tests.communities.good_practice.test_good_practice_views import signed_in, valid_form
from tests.factories import PASSWORD, CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"
LOCKED = re.compile(r"Too many failed attempts; try again in \d+ minutes? or reset your password\.")


@pytest.fixture
def limits(settings):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 3
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 6
    settings.SIGN_IN_LOCK_MINUTES = 15
    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 2
    settings.ACCOUNT_EMAILS_PER_CLIENT_PER_HOUR = 4
    settings.INVITATIONS_PER_HOUR = 3
    return settings


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def page_text(response) -> str:
    """The page as a person reads it (no CSRF tokens, which differ on every page)."""
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# -- Sign-in throttling -------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_with_a_clear_message_and_email_its_owner(
    client, home_page, limits, django_capture_on_commit_callbacks
):
    UserFactory(email="amira@leeds.example.gov.uk")

    for _ in range(2):
        wrong = sign_in(client, "amira@leeds.example.gov.uk", "not-my-password")
        assert "Please enter a correct" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        third = sign_in(client, "amira@leeds.example.gov.uk", "still-not-it")

    assert LOCKED.search(third.content.decode())
    refused = sign_in(client, "amira@leeds.example.gov.uk", PASSWORD)  # right, but locked
    assert refused.status_code == 200 and LOCKED.search(refused.content.decode())
    assert client.get(reverse("my-memberships")).status_code == 302  # not signed in
    assert [m.to for m in mail.outbox] == [["amira@leeds.example.gov.uk"]]
    assert "paused sign-in" in mail.outbox[0].body
    assert "/accounts/password-reset/" in mail.outbox[0].body


def test_the_lock_message_is_the_same_for_an_unknown_account(client, home_page, limits):
    UserFactory(email="amira@leeds.example.gov.uk")
    answers = {}
    for name in ("amira@leeds.example.gov.uk", "nobody@leeds.example.gov.uk"):
        for _ in range(3):
            response = sign_in(Client(REMOTE_ADDR="10.0.0.1"), name, "wrong-password")
        answers[name] = (response.status_code, LOCKED.search(response.content.decode()).group(0))

    assert answers["amira@leeds.example.gov.uk"] == answers["nobody@leeds.example.gov.uk"]
    assert not mail.outbox or all(m.to != ["nobody@leeds.example.gov.uk"] for m in mail.outbox)


def test_one_client_address_is_locked_across_accounts(client, home_page, limits):
    UserFactory(email="target@leeds.example.gov.uk")
    for n in range(6):  # two failures each on three names: no account reaches its own limit
        sign_in(client, f"guess{n // 2}@leeds.example.gov.uk", "wrong-password")

    refused = sign_in(client, "target@leeds.example.gov.uk", PASSWORD)
    assert LOCKED.search(refused.content.decode())
    other_client = Client(REMOTE_ADDR="192.0.2.55")
    assert sign_in(other_client, "target@leeds.example.gov.uk", PASSWORD).status_code == 302


def test_a_lock_ends_and_the_next_one_lasts_longer(client, home_page, limits):
    UserFactory(email="amira@leeds.example.gov.uk")
    for _ in range(3):
        sign_in(client, "amira@leeds.example.gov.uk", "wrong-password")
    first = SignInThrottle.objects.filter(key__startswith="account:").get()
    first_lock = first.locked_until - first.window_started_at

    SignInThrottle.objects.update(locked_until=None)  # the lock has run out
    for _ in range(3):
        response = sign_in(client, "amira@leeds.example.gov.uk", "wrong-password")
    assert "try again in 30 minutes" in response.content.decode()
    second = SignInThrottle.objects.filter(key__startswith="account:").get()
    assert second.locked_until - second.window_started_at == 2 * first_lock

    SignInThrottle.objects.update(locked_until=None)
    assert sign_in(client, "amira@leeds.example.gov.uk", PASSWORD).status_code == 302
    assert not SignInThrottle.objects.filter(key__startswith="account:").exists()  # a clean slate


def test_failures_are_logged_without_the_password(client, home_page, limits, caplog):
    with caplog.at_level(logging.WARNING, logger="communities.signin"):
        sign_in(client, "amira@leeds.example.gov.uk", "Secret-Typed-Password")

    assert "amira@leeds.example.gov.uk" in caplog.text
    assert "Secret-Typed-Password" not in caplog.text


def test_the_admin_login_is_throttled_too(client, home_page, limits):
    UserFactory(email="editor@leeds.example.gov.uk", is_staff=True)
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": "editor@leeds.example.gov.uk", "password": "wrong"}
        )

    assert LOCKED.search(response.content.decode())
    refused = client.post(
        "/admin/login/", {"username": "editor@leeds.example.gov.uk", "password": PASSWORD}
    )
    assert LOCKED.search(refused.content.decode())


# -- What a new password revokes ------------------------------------------------------------------


def credentials(member):
    _, raw_token = do_create_token(member, "Reports")
    feed_token = do_reset_feed_token(member)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}, feed_token


def feed_link(feed_token, community):
    return reverse("private-community-feed-rss", args=[feed_token, community.slug])


def test_changing_the_password_keeps_this_session_ends_the_others_and_revokes_tokens(
    home_page,
):
    member = UserFactory(email="amira@leeds.example.gov.uk")
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=member)
    bearer, feed_token = credentials(member)
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        assert sign_in(browser, "amira@leeds.example.gov.uk", PASSWORD).status_code == 302
    assert Client().get("/api/me/memberships", **bearer).status_code == 200
    assert Client().get(feed_link(feed_token, community)).status_code == 200

    changed = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert "signed out everywhere else" in changed.content.decode()
    assert here.get(reverse("my-memberships")).status_code == 200  # still signed in here
    assert elsewhere.get(reverse("my-memberships")).status_code == 302  # signed out there
    assert Client().get("/api/me/memberships", **bearer).status_code == 401
    assert Client().get(feed_link(feed_token, community)).status_code == 404
    assert not PersonalToken.objects.filter(user=member).exists()


def test_a_wrong_old_password_changes_nothing(client, home_page):
    member = UserFactory(email="amira@leeds.example.gov.uk")
    bearer, _ = credentials(member)
    client.force_login(member)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200 and "incorrectly" in response.content.decode()
    assert Client().get("/api/me/memberships", **bearer).status_code == 200


def test_a_password_reset_revokes_tokens_and_feed_links_ends_sessions_and_unlocks(
    client, home_page, limits, django_capture_on_commit_callbacks
):
    member = UserFactory(email="amira@leeds.example.gov.uk")
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=member)
    bearer, feed_token = credentials(member)
    elsewhere = Client()
    sign_in(elsewhere, "amira@leeds.example.gov.uk", PASSWORD)
    for _ in range(3):
        sign_in(Client(REMOTE_ADDR="192.0.2.66"), "amira@leeds.example.gov.uk", "a-guess")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "amira@leeds.example.gov.uk"})
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0).split("testserver")[-1]
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert elsewhere.get(reverse("my-memberships")).status_code == 302
    assert Client().get("/api/me/memberships", **bearer).status_code == 401
    assert Client().get(feed_link(feed_token, community)).status_code == 404
    assert NotificationSettings.objects.get(user=member).feed_token_digest is None
    assert sign_in(Client(), "amira@leeds.example.gov.uk", NEW_PASSWORD).status_code == 302


# -- Feed tokens are stored hashed ------------------------------------------------------------------


def test_feed_links_are_shown_once_and_only_their_digest_is_stored(client, home_page):
    member = UserFactory()
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=member)
    client.force_login(member)

    client.post(reverse("reset-feed-token"))
    shown = client.get(reverse("notification-settings")).content.decode()
    raw = re.search(r"/feeds/private/([^/]+)/communities/", shown).group(1)

    assert preferences_for(member).feed_token_digest == token_digest(raw)
    assert raw not in str(NotificationSettings.objects.filter(user=member).values().get())
    assert Client().get(feed_link(raw, community)).status_code == 200
    again = client.get(reverse("notification-settings")).content.decode()
    assert raw not in again and "were shown when you made them" in again


# -- Limits on account emails -----------------------------------------------------------------------


def test_resending_a_confirmation_is_limited_per_address(
    client, home_page, limits, django_capture_on_commit_callbacks
):
    member = UserFactory(email="new@leeds.example.gov.uk")
    EmailConfirmation.objects.create(user=member, email=member.email)
    answers = set()
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client(REMOTE_ADDR=f"198.51.100.{n}").post(
                reverse("resend-confirmation"), {"email": "new@leeds.example.gov.uk"}
            )
        answers.add((response.status_code, page_text(response)))

    assert len(mail.outbox) == 2  # ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR
    assert len(answers) == 1  # the same calm page, sent or not


def test_one_client_asking_for_many_addresses_is_limited(
    client, home_page, limits, django_capture_on_commit_callbacks
):
    for n in range(6):
        member = UserFactory(email=f"officer{n}@york.example.gov.uk")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": member.email})
        assert response.status_code == 302 and response["Location"].endswith("/sent/")

    assert len(mail.outbox) == 4  # ACCOUNT_EMAILS_PER_CLIENT_PER_HOUR


def test_password_resets_to_one_address_are_limited(
    client, home_page, limits, django_capture_on_commit_callbacks
):
    UserFactory(email="amira@leeds.example.gov.uk")
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            Client(REMOTE_ADDR=f"203.0.113.{n}").post(
                reverse("password_reset"), {"email": "amira@leeds.example.gov.uk"}
            )

    assert len(mail.outbox) == 2


def test_invitations_are_limited_per_facilitator_but_stay_listed(
    client, home_page, limits, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    client.force_login(owner)
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("community-invite", args=[community.slug]),
                {"email": f"person{n}@kent.example.gov.uk"},
                follow=True,
            )
        assert f"We have emailed an invitation to person{n}@kent" in response.content.decode()

    assert len(mail.outbox) == 3  # INVITATIONS_PER_HOUR
    assert Invitation.objects.filter(community=community).count() == 4


# -- Names without links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Win a prize at https://evil.example",
        "Visit www.evil.example",
        "evil.com",
        "Amira\r\nBcc: everyone@example.com",
        "Amira\u202eevil",
        "amira@leeds.example.gov.uk",
    ],
)
def test_a_name_cannot_carry_links_or_control_characters(client, home_page, name):
    member = UserFactory(display_name="Amira Khan")
    client.force_login(member)

    edited = client.post(
        reverse("edit-profile"), {"display_name": name, "visibility": ProfileVisibility.MEMBERS}
    )
    client.logout()
    signed_up = client.post(
        reverse("signup"),
        {
            "display_name": name,
            "email": "someone@york.example.gov.uk",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    for response in (edited, signed_up):
        assert response.status_code == 200
        assert "A name cannot contain" in response.content.decode()
    assert Profile.objects.get(user=member).display_name == "Amira Khan"
    assert not Profile.objects.filter(user__email="someone@york.example.gov.uk").exists()
    assert not mail.outbox


@pytest.mark.parametrize("name", ["Amira Khan", "J. R. Hartley", "Siân O'Neill-Ng", "李小龍"])
def test_ordinary_names_are_accepted(client, home_page, name):
    member = UserFactory()
    client.force_login(member)

    response = client.post(
        reverse("edit-profile"), {"display_name": name, "visibility": ProfileVisibility.MEMBERS}
    )

    assert response.status_code == 302
    assert Profile.objects.get(user=member).display_name == name


# -- No account enumeration ---------------------------------------------------------------------------


def test_sign_up_with_a_taken_address_looks_the_same_and_tells_its_owner(
    home_page, django_capture_on_commit_callbacks
):
    UserFactory(email="amira@leeds.example.gov.uk")
    answers = []
    for email in ("amira@leeds.example.gov.uk", "fresh@leeds.example.gov.uk"):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                reverse("signup"),
                {
                    "display_name": "Somebody Else",
                    "email": email,
                    "password1": NEW_PASSWORD,
                    "password2": NEW_PASSWORD,
                },
            )
        answers.append((response.status_code, page_text(response)))

    assert answers[0] == answers[1]
    owner_mail, new_mail = mail.outbox
    assert owner_mail.to == ["amira@leeds.example.gov.uk"]
    assert (
        "already has an account" in owner_mail.body
        and "/accounts/password-reset/" in owner_mail.body
    )
    assert new_mail.to == ["fresh@leeds.example.gov.uk"] and "/accounts/confirm/" in new_mail.body
    assert Profile.objects.filter(display_name="Somebody Else").count() == 1  # only the new one


def test_good_practice_contact_does_not_reveal_a_member_whose_profile_is_hidden(client, home_page):
    author = UserFactory()
    UserFactory(email="hidden@leeds.example.gov.uk", visibility=ProfileVisibility.PRIVATE)
    signed_in(client, author)

    form = valid_form()
    hidden = client.post(
        "/good-practice/submit/", {**form, "contact_email": "hidden@leeds.example.gov.uk"}
    )
    unknown = client.post(
        "/good-practice/submit/", {**form, "contact_email": "nobody@leeds.example.gov.uk"}
    )

    assert hidden.status_code == unknown.status_code == 400
    assert (
        hidden.context["form"].errors["contact_email"]
        == unknown.context["form"].errors["contact_email"]
    )


def test_passwords_are_changed_and_reset_only_on_the_hubs_own_pages(client, home_page):
    staff = UserFactory(is_staff=True, is_superuser=True)

    assert client.get("/admin/password_reset/").status_code == 404  # Wagtail's reset is off
    assert client.get(reverse("password_change")).status_code == 302  # sign in first
    client.force_login(staff)
    assert client.get(reverse("password_change")).status_code == 200
    assert b"Change your password" in client.get(reverse("edit-profile")).content
