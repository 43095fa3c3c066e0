from communities.models import Visibility
from tests.factories import CommunityFactory, UserFactory


def test_home_page_lists_open_and_restricted_communities_but_not_private_ones(client, home_page):
    CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    CommunityFactory(title="SEND leaders", visibility=Visibility.RESTRICTED)
    CommunityFactory(title="Chief digital officers", visibility=Visibility.PRIVATE)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Waste and recycling" in html
    assert "SEND leaders" in html
    assert "Chief digital officers" not in html


def test_members_of_a_private_community_see_it_on_the_home_page(client, home_page):
    member = UserFactory()
    CommunityFactory(title="Chief digital officers", visibility=Visibility.PRIVATE, owner=member)
    client.force_login(member)

    assert "Chief digital officers" in client.get("/").content.decode()


def test_home_page_has_skip_link_search_box_and_sign_in(client, home_page):
    html = client.get("/").content.decode()

    assert 'href="#main"' in html and "Skip to main content" in html
    assert 'role="search"' in html and 'label for="site-search"' in html
    assert "Sign in" in html
    assert "Open Government Licence" in html


def test_unknown_page_gets_the_hub_404_page(client, home_page):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_sign_in_and_out(client, home_page):
    user = UserFactory(email="jo@leeds.example.gov.uk", display_name="Jo Bloggs")

    response = client.post(
        "/accounts/login/",
        {"username": "jo@leeds.example.gov.uk", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert "Signed in as Jo Bloggs" in client.get("/").content.decode()

    client.post("/accounts/logout/")
    assert "Sign in" in client.get("/").content.decode()
    assert user.pk
