"""What makes the hub look like a public service: phase banner, footer pages, titles, the header
search box, and the 403 page."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATIC_PAGES = {
    "/accessibility/": "Accessibility statement for the Local Government Knowledge Hub",
    "/privacy/": "Privacy notice",
    "/cookies/": "Cookies",
    "/contact/": "Contact us",
}


def test_every_page_has_the_beta_banner_and_the_footer_links(client, home_page):
    html = client.get("/").content.decode()
    assert "Beta" in html and "This is a new service" in html
    for path in STATIC_PAGES:
        assert f'href="{path}"' in html


@pytest.mark.parametrize(("path", "heading"), STATIC_PAGES.items())
def test_static_pages_say_something_real(client, home_page, path, heading, settings):
    settings.CONTACT_EMAIL = "support@hub.example.gov.uk"
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    if path != "/cookies/":
        assert "mailto:support@hub.example.gov.uk" in html


def test_the_accessibility_statement_follows_the_model_statement(client, home_page):
    html = client.get("/accessibility/").content.decode()
    for section in (
        "How accessible this website is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert f"{section}</h" in html


def test_page_titles_name_the_page_then_the_hub_once(client, home_page):
    login = client.get("/accounts/login/").content.decode()
    assert "<title>Sign in – Local Government Knowledge Hub</title>" in login, login[:400]
    home = client.get("/").content.decode()
    assert home.count("Local Government Knowledge Hub – Local Government Knowledge Hub") == 0


def test_header_search_box_is_not_filled_with_another_pages_parameters(client, home_page):
    client.force_login(UserFactory())
    members = client.get("/members/", {"q": "zebra-members"}).content.decode()
    assert 'name="q" value=""' in members
    sparql = client.get("/sparql", {"q": "SELECT ?zebra WHERE {}"}).content.decode()
    assert 'name="q" value=""' in sparql
    search = client.get("/search/", {"q": "recycling"}).content.decode()
    assert 'id="site-search" type="search" name="q" value="recycling"' in search


def test_a_member_who_is_not_staff_gets_the_hubs_403_page(client, home_page):
    client.force_login(UserFactory())
    response = client.get("/search/analytics/", HTTP_REFERER="http://testserver/communities/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have permission to see this page" in html
    assert "site-footer" in html  # the hub's own page, not a bare error
    assert 'href="http://testserver/communities/"' in html
    elsewhere = client.get("/search/analytics/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode()
