"""Saving, listing, changing and deleting saved searches: the pages and the API, as a member sees them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from communities.alerts import do_unsubscribe
from communities.people.services.tokens import do_create_token
from search.models import SavedSearch
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, home_page):
    user = UserFactory()
    client.force_login(user)
    return user


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {do_create_token(user, 'saved')[1]}"}


def test_the_search_page_offers_to_save_the_search_and_saving_lists_it(client, member):
    page = client.get("/search/?q=recycling&type=thread").content.decode()
    assert "Save this search" in page
    assert 'name="type" value="thread"' in page

    response = client.post(
        "/search/saved/",
        {"q": "recycling", "type": "thread", "name": "Bins", "frequency": "immediate"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/search/saved/"
    text = response.content.decode()
    assert "Saved “Bins”." in text and "Straight away" in text and "type: thread" in text
    saved = SavedSearch.objects.get(user=member)
    assert (saved.q, saved.filters, saved.frequency) == (
        "recycling",
        {"type": ["thread"]},
        "immediate",
    )
    assert 'href="/search/?q=recycling&amp;type=thread"' in text


def test_a_visitor_is_asked_to_sign_in_and_comes_back_to_the_search(client, home_page):
    page = client.get("/search/?q=recycling").content.decode()
    assert "Sign in to save this search" in page
    assert "next=/search/%3Fq%3Drecycling" in page

    response = client.post("/search/saved/", {"q": "recycling", "name": "Bins"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "recycling" in response["Location"]
    assert SavedSearch.objects.count() == 0


def test_bad_input_is_explained_and_nothing_typed_is_lost(client, member):
    response = client.post("/search/saved/", {"q": "", "name": "x" * 150, "frequency": "hourly"})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Type words to search for, or choose a filter" in text
    assert "at most 100 characters" in text
    assert "immediate (straight away), daily, weekly or off" in text
    assert 'value="' + "x" * 150 + '"' in text  # the name typed is still there
    assert SavedSearch.objects.count() == 0


def test_a_member_keeps_at_most_the_configured_number(client, member, settings):
    settings.SAVED_SEARCHES_PER_MEMBER = 2
    for word in ("bins", "parking"):
        assert client.post("/search/saved/", {"q": word}).status_code == 302
    response = client.post("/search/saved/", {"q": "housing"})
    assert response.status_code == 400
    assert "You already keep 2 saved searches" in response.content.decode()
    assert SavedSearch.objects.filter(user=member).count() == 2
    assert SavedSearch.objects.filter(user=member, q="bins").get().name == "Search for “bins”"


def test_rename_change_frequency_and_query_then_delete_on_the_page(client, member):
    client.post("/search/saved/", {"q": "bins", "name": "Bins"})
    saved = SavedSearch.objects.get(user=member)

    response = client.post(
        reverse("saved-search-change", args=[saved.pk]),
        {"name": "Waste", "q": "food waste", "frequency": "weekly"},
        follow=True,
    )
    assert "Changed “Waste”." in response.content.decode()
    saved.refresh_from_db()
    assert (saved.name, saved.q, saved.frequency) == ("Waste", "food waste", "weekly")

    bad = client.post(reverse("saved-search-change", args=[saved.pk]), {"name": "", "q": "food"})
    assert bad.status_code == 400 and "Give the saved search a name." in bad.content.decode()

    response = client.post(reverse("saved-search-delete", args=[saved.pk]), follow=True)
    assert "Deleted “Waste”." in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_another_members_saved_search_is_not_found(client, member):
    other = UserFactory()
    client.force_login(other)
    client.post("/search/saved/", {"q": "bins"})
    theirs = SavedSearch.objects.get(user=other)
    client.force_login(member)

    assert client.post(reverse("saved-search-delete", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/search/saved/{theirs.pk}/").status_code == 404
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_the_settings_page_leads_to_the_saved_searches(client, member):
    page = client.get(reverse("notification-settings")).content.decode()
    assert "Saved searches" in page and 'href="/search/saved/"' in page


def test_the_api_saves_lists_changes_and_deletes(client, home_page):
    user = UserFactory()
    headers = bearer(user)

    created = client.post(
        "/api/search/saved/",
        {"q": "recycling", "type": ["thread"], "name": "Bins", "frequency": "immediate"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Bins" and body["filters"] == {"type": ["thread"]}
    assert body["search_url"] == "http://testserver/search/?q=recycling&type=thread"
    url = f"/api/search/saved/{body['id']}/"

    assert [s["name"] for s in client.get("/api/search/saved/", headers=headers).json()] == ["Bins"]
    changed = client.patch(
        url, {"frequency": "off", "name": "Waste"}, content_type="application/json", headers=headers
    )
    assert changed.status_code == 200
    assert (changed.json()["frequency"], changed.json()["q"]) == ("off", "recycling")
    assert client.get(url, headers=headers).json()["name"] == "Waste"
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_the_api_answers_errors_in_its_one_shape(client, home_page):
    assert client.get("/api/search/saved/").json()["status"] == 401
    user = UserFactory()
    response = client.post(
        "/api/search/saved/",
        {"q": "", "frequency": "hourly", "year": ["soon"]},
        content_type="application/json",
        headers=bearer(user),
    )
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400
    assert "Ignored the year filter “soon”" in error["message"]
    assert "immediate (straight away)" in error["message"]
    wrong_type = client.post(
        "/api/search/saved/",
        {"q": 3, "type": "x"},
        content_type="application/json",
        headers=bearer(user),
    )
    assert wrong_type.status_code == 422
    assert client.get("/api/search/saved/99999/", headers=bearer(user)).status_code == 404


def test_the_unsubscribe_link_turns_the_search_off(member):
    saved = SavedSearch.objects.create(user=member, name="Bins", q="bins", frequency="daily")
    assert do_unsubscribe(member, f"saved-search:{saved.pk}") is True
    saved.refresh_from_db()
    assert saved.frequency == "off"
    assert do_unsubscribe(member, f"saved-search:{saved.pk}") is False
    other = UserFactory()
    assert do_unsubscribe(other, f"saved-search:{saved.pk}") is False


def test_the_command_runs_the_due_searches_and_will_not_schedule_on_the_immediate_backend(
    home_page,
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("saved_searches", stdout=out)
    assert "Delivered 0 new results of saved searches." in out.getvalue()
    with pytest.raises(CommandError, match="TASKS_BACKEND=immediate"):
        call_command("saved_searches", "--schedule")
