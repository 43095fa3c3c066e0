"""The attacks on accounts, made against a live server with a real HTTP client, and refused:
brute-forcing a password (the hub's form and Wagtail's admin login), an old API token or feed link
after a password reset, flooding an inbox with confirmation links, and finding out which addresses
have accounts from sign-up, password reset and resend."""

import re

import pytest
import requests
from django.core import mail

from communities.discussions.services.notifications import do_reset_feed_token
from communities.models import EmailConfirmation, Visibility
from communities.people.services.tokens import do_create_token
from tests.factories import PASSWORD, CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-long-and-unusual-passphrase"
LOCKED = re.compile(r"Too many failed attempts; try again in \d+ minutes? or reset your password\.")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def limits(settings):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 5
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 50
    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 3
    settings.ACCOUNT_EMAILS_PER_CLIENT_PER_HOUR = 20
    return settings


def submit(session: requests.Session, url: str, data: dict, **kwargs) -> requests.Response:
    """Fill the form at ``url`` as a browser would: fetch it for its CSRF token, then post."""
    form = session.get(url, timeout=30)
    token = CSRF.search(form.text).group(1)
    return session.post(
        url,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": url},
        timeout=30,
        **kwargs,
    )


def page_text(response: requests.Response) -> str:
    return CSRF.sub("", response.text)


@pytest.mark.parametrize("login_path", ["/accounts/login/", "/admin/login/"])
def test_brute_forcing_a_password_is_refused(live_server, home_page, limits, login_path):
    UserFactory(email="editor@leeds.example.gov.uk", is_staff=True)
    attacker = requests.Session()
    guesses = [f"guess-{n}" for n in range(20)] + [PASSWORD]

    answers = [
        submit(
            attacker,
            live_server.url + login_path,
            {"username": "editor@leeds.example.gov.uk", "password": guess},
            allow_redirects=False,
        )
        for guess in guesses
    ]

    assert all(response.status_code == 200 for response in answers)  # never signed in
    assert [bool(LOCKED.search(r.text)) for r in answers] == [False] * 4 + [True] * 17
    locked_mail = [m for m in mail.outbox if m.to == ["editor@leeds.example.gov.uk"]]
    assert len(locked_mail) == 1 and "paused sign-in" in locked_mail[0].body


def test_an_old_token_and_feed_link_stop_working_after_a_password_reset(live_server, home_page):
    member = UserFactory(email="amira@leeds.example.gov.uk")
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=member)
    _, api_token = do_create_token(member, "Reports")
    feed = f"{live_server.url}/feeds/private/{do_reset_feed_token(member)}/communities/{community.slug}/rss/"
    bearer = {"Authorization": f"Bearer {api_token}"}
    me = live_server.url + "/api/me/memberships"
    assert requests.get(me, headers=bearer, timeout=30).status_code == 200
    assert requests.get(feed, timeout=30).status_code == 200

    owner = requests.Session()
    submit(owner, live_server.url + "/accounts/password-reset/", {"email": member.email})
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    choose = owner.get(link, timeout=30)  # redirects to the form under a session-held token
    done = submit(owner, choose.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert "/accounts/reset/done/" in done.url

    refused = requests.get(me, headers=bearer, timeout=30)
    assert refused.status_code == 401 and "not valid" in refused.json()["detail"]
    assert requests.get(feed, timeout=30).status_code == 404


def test_flooding_an_inbox_with_confirmation_links_stops_at_the_limit(
    live_server, home_page, limits
):
    member = UserFactory(email="new@leeds.example.gov.uk")
    EmailConfirmation.objects.create(user=member, email=member.email)
    flooder = requests.Session()

    answers = {
        (response.status_code, page_text(response))
        for response in (
            submit(flooder, live_server.url + "/accounts/confirm/resend/", {"email": member.email})
            for _ in range(4)
        )
    }

    assert len([m for m in mail.outbox if m.to == [member.email]]) == 3  # the 4th sends nothing
    assert len(answers) == 1  # and the page says the same


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        (
            "/accounts/signup/",
            {
                "display_name": "Nadia Ahmed",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        ),
        ("/accounts/password-reset/", {}),
        ("/accounts/confirm/resend/", {}),
    ],
)
def test_pages_do_not_reveal_which_addresses_have_accounts(live_server, home_page, path, fields):
    existing = UserFactory(email="amira@leeds.example.gov.uk")
    EmailConfirmation.objects.create(user=existing, email=existing.email)

    answers = []
    for email in ("amira@leeds.example.gov.uk", "nobody@leeds.example.gov.uk"):
        response = submit(requests.Session(), live_server.url + path, {**fields, "email": email})
        answers.append((response.status_code, response.url.split("?")[0], page_text(response)))

    assert answers[0] == answers[1]
    assert answers[0][0] == 200 and "Check your email" in answers[0][2]
