import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from communities.models import Membership, Profile, ThreadPage, Visibility
from communities.people.services.accounts import CONFIRMATION_SALT, confirmation_token
from communities.permissions import can_post_in_community, is_email_confirmed
from tests.factories import PASSWORD, CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def sign_up(client, **overrides):
    data = {
        "display_name": "Nadia Ahmed",
        "email": "Nadia.Ahmed@york.example.gov.uk",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("signup"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_sign_up_emails_a_confirmation_link_and_the_new_account_signs_in(
    client, home_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    profile = Profile.objects.get(user__username="nadia.ahmed@york.example.gov.uk")
    assert profile.display_name == "Nadia Ahmed"
    assert client.get(reverse("edit-profile")).status_code == 302  # not signed in by sign-up
    assert client.login(username="nadia.ahmed@york.example.gov.uk", password=NEW_PASSWORD)
    assert client.get(reverse("edit-profile")).status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nadia.ahmed@york.example.gov.uk"]
    assert "/accounts/confirm/" in link_in(mail.outbox[0])


def test_unconfirmed_account_cannot_post_until_the_link_is_followed(
    client, home_page, django_capture_on_commit_callbacks
):
    community = CommunityFactory(visibility=Visibility.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    user = Profile.objects.get(display_name="Nadia Ahmed").user
    client.login(username=user.username, password=NEW_PASSWORD)
    client.post(reverse("join-community", args=[community.slug]))
    assert Membership.objects.get(user=user, community=community).is_active
    assert not is_email_confirmed(user)
    assert not can_post_in_community(user, community)
    thread = {
        "title": "Food waste collections",
        "body": "How did you roll out weekly food waste?",
        "idempotency_key": "first-try",
    }
    refused = client.post(reverse("new-thread", args=[community.slug]), thread)
    assert refused.status_code == 403 and "Confirm your email address" in refused.content.decode()
    assert not ThreadPage.objects.filter(title="Food waste collections").exists()

    response = client.get(link_in(mail.outbox[0]).split("testserver")[-1], follow=True)

    assert "is confirmed" in response.content.decode()
    assert can_post_in_community(user, community)
    client.post(
        reverse("new-thread", args=[community.slug]), {**thread, "idempotency_key": "second-try"}
    )
    assert ThreadPage.objects.filter(title="Food waste collections").exists()


def test_accounts_made_by_staff_or_the_demo_count_as_confirmed(db):
    assert is_email_confirmed(UserFactory())


def test_expired_or_tampered_confirmation_link_explains_what_to_do(client, home_page, monkeypatch):
    user = UserFactory()
    token = confirmation_token(user)

    tampered = client.get(reverse("confirm-email", args=[token[:-2] + "xx"]))
    assert tampered.status_code == 400
    assert "not valid" in tampered.content.decode()

    monkeypatch.setattr("django.core.signing.time.time", lambda: 0)
    ancient = signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRMATION_SALT, compress=True)
    monkeypatch.undo()
    expired = client.get(reverse("confirm-email", args=[ancient]))
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()


def test_bad_sign_up_input_is_explained_next_to_the_field_and_kept(client, home_page):
    UserFactory(email="taken@council.example.gov.uk")

    response = sign_up(
        client, email="taken@council.example.gov.uk", password2="something-else-entirely"
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert (
        "already" not in page
    )  # whether an address has an account is not said (see test_accounts_security)
    assert "The two passwords are different." in page
    assert 'value="Nadia Ahmed"' in page


def test_weak_password_is_refused(client, home_page):
    response = sign_up(client, password1="12345678", password2="12345678")

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not Profile.objects.filter(display_name="Nadia Ahmed").exists()


def test_password_reset_sends_a_single_use_link(
    client, home_page, django_capture_on_commit_callbacks
):
    user = UserFactory(email="reset.me@council.example.gov.uk")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": "reset.me@council.example.gov.uk"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = link_in(mail.outbox[0]).split("testserver")[-1]

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "does not work" in client.get(link, follow=True).content.decode()


def test_sign_in_with_email_and_sign_out(client, home_page):
    UserFactory(email="amira@leeds.example.gov.uk")

    response = client.post(
        reverse("login"), {"username": "amira@leeds.example.gov.uk", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("my-memberships")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("my-memberships")).status_code == 302


def test_sign_up_form_takes_the_invited_address(client, home_page):
    page = client.get(reverse("signup"), {"email": "invited@kent.example.gov.uk"}).content.decode()

    assert 'value="invited@kent.example.gov.uk"' in page


def test_an_account_made_without_a_profile_can_still_edit_one(client, home_page):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        "admin@hub.example.gov.uk", "admin@hub.example.gov.uk", PASSWORD
    )
    client.force_login(user)

    assert client.get(reverse("edit-profile")).status_code == 200
    assert Profile.objects.get(user=user).display_name == "admin@hub.example.gov.uk"


def test_an_overlong_email_is_refused_with_a_message(client, home_page):
    response = sign_up(client, email="a" * 140 + "@example.gov.uk")

    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
