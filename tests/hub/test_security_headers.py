"""Every response carries the Content-Security-Policy and Permissions-Policy; HTTPS is enforced by settings."""

from urllib.parse import urlsplit

import pytest
import requests

from hub.middleware import permissions_header, policy_header
from tests.factories import CommunityFactory
from tests.hub.conftest import PRODUCTION_ENV, gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_policy_headers_are_written_from_the_settings():
    assert (
        policy_header({"default-src": ["'self'"], "upgrade-insecure-requests": []})
        == "default-src 'self'; upgrade-insecure-requests"
    )
    assert permissions_header({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


PAGES = [
    "/",  # a Wagtail page
    "/communities/",
    "/search/?q=waste",
    "/api/communities/",  # JSON
    "/api/docs",
    "/no-such-page/",  # the 404 page
    "/accounts/login/",
]


def assert_strict_policy(response: requests.Response) -> None:
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], response.url  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_every_response_forbids_inline_scripts_and_framing(live_server, home_page):
    CommunityFactory(title="Waste and recycling")

    for path in PAGES:
        response = requests.get(live_server.url + path, timeout=30, allow_redirects=False)
        assert_strict_policy(response)
        assert response.headers["X-Frame-Options"] == "DENY"


def test_wagtail_admin_has_its_own_policy_that_still_forbids_eval(live_server, home_page):
    response = requests.get(live_server.url + "/admin/login/", timeout=30)

    policy = directives(response.headers["Content-Security-Policy"])
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]  # the page preview frames the hub itself
    assert policy["object-src"] == ["'none'"]


def test_the_production_settings_redirect_to_https_and_send_hsts(home_page):
    with gunicorn(**PRODUCTION_ENV) as url:
        plain = requests.get(url + "/", timeout=30, allow_redirects=False)
        behind_tls_proxy = requests.get(
            url + "/", headers={"X-Forwarded-Proto": "https"}, timeout=30, allow_redirects=False
        )
        probe = requests.get(url + "/healthz", timeout=30, allow_redirects=False)
        static = requests.get(  # served by WhiteNoise, inside the headers' middleware
            url + "/static/hub/site.css", headers={"X-Forwarded-Proto": "https"}, timeout=30
        )

    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://{urlsplit(url).netloc}/"
    assert "Content-Security-Policy" in plain.headers
    assert behind_tls_proxy.status_code == 200
    assert behind_tls_proxy.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "Content-Security-Policy" in behind_tls_proxy.headers
    assert probe.status_code != 301  # the health probe speaks plain HTTP to the hub
    assert static.status_code == 200
    assert_strict_policy(static)


def test_without_the_settings_there_is_no_redirect_and_no_hsts(live_server, home_page):
    response = requests.get(live_server.url + "/", timeout=30, allow_redirects=False)

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
