import pytest
from django.test import Client
from django.urls import path

from hub.urls import urlpatterns as hub_urlpatterns


def broken_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken_view), *hub_urlpatterns]
handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"


@pytest.mark.urls("tests.hub.test_errors")
def test_a_server_error_shows_the_hub_500_page(db):
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert '<html lang="en-GB">' in html
