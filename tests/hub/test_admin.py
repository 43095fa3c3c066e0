from tests.factories import UserFactory


def test_wagtail_admin_asks_anonymous_visitors_to_sign_in(client, home_page):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_site_staff_sign_in_to_the_admin(client, home_page):
    UserFactory(email="editor@hub.example.gov.uk", is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/",
        {"username": "editor@hub.example.gov.uk", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "Dashboard" in dashboard.content.decode()
