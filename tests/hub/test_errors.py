import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from hub.urls import urlpatterns as hub_urlpatterns

calls: list[str] = []


def broken_view(request):
    raise RuntimeError("a bug")


@csrf_exempt
def unavailable_once(request):
    """The database drops the first attempt's connection, then is back."""
    calls.append(request.method)
    if len(calls) == 1:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    return HttpResponse("served")


@csrf_exempt
def unavailable(request):
    calls.append(request.method)
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@csrf_exempt
def unavailable_after_a_write(request):
    """A statement completed (it may have written) before the database went away."""
    calls.append(request.method)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("broken/", broken_view),
    path("unavailable-once/", unavailable_once),
    path("unavailable/", unavailable),
    path("unavailable-after-a-write/", unavailable_after_a_write),
    *hub_urlpatterns,
]
handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"


@pytest.fixture(autouse=True)
def fresh_calls():
    calls.clear()


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.urls("tests.hub.test_errors")
def test_a_server_error_shows_the_hub_500_page(db, client):
    response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert '<html lang="en-GB">' in html


@pytest.mark.urls("tests.hub.test_errors")
def test_the_500_page_needs_no_database(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = client.get("/broken/")

    assert response.status_code == 500
    assert "having trouble completing your request" in response.content.decode()


@pytest.mark.urls("tests.hub.test_errors")
def test_a_failed_form_post_says_the_text_is_kept_by_the_back_button(client, db):
    response = client.post("/broken/", {"body": "My long reply"})

    html = response.content.decode()
    assert response.status_code == 500
    assert "Your text is not lost: use your browser’s Back button" in html


@pytest.mark.urls("tests.hub.test_errors")
def test_a_request_the_database_dropped_once_is_retried_and_served(client, db):
    response = client.get("/unavailable-once/")

    assert response.status_code == 200
    assert response.content == b"served"
    assert calls == ["GET", "GET"]


@pytest.mark.urls("tests.hub.test_errors")
def test_a_post_that_failed_before_any_statement_is_retried(client, db):
    response = client.post("/unavailable-once/", {"body": "reply"})

    assert response.status_code == 200
    assert calls == ["POST", "POST"]


@pytest.mark.urls("tests.hub.test_errors")
def test_while_the_database_stays_down_the_answer_is_503_with_retry_after(client, db):
    response = client.get("/unavailable/")

    assert calls == ["GET", "GET"]  # tried once more, then given up
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "having trouble reaching its data for a moment" in html
    assert "connection" not in html.lower()  # no internal detail


@pytest.mark.urls("tests.hub.test_errors")
def test_a_post_that_may_have_written_is_not_retried(client, db):
    response = client.post("/unavailable-after-a-write/", {"body": "My reply"})

    assert calls == ["POST"]
    assert response.status_code == 503
    assert "Back button" in response.content.decode()
