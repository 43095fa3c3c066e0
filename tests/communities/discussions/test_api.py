"""The JSON API: session or personal token, the same permission rules, the same services."""

import uuid

import pytest

from communities.models import PersonalToken, Post, ThreadPage, Visibility
from communities.people.services.tokens import do_create_token, do_revoke_token
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(home_page):
    community = CommunityFactory(title="Digital and data", visibility=Visibility.RESTRICTED)
    member = UserFactory(display_name="Li Wei")
    MembershipFactory(community=community, user=member)
    thread = ThreadFactory(community=community, title="Open data portals")
    token = do_create_token(member, "script")[1]
    return community, member, thread, {"Authorization": f"Bearer {token}"}


def test_tokens_are_stored_hashed(setup):
    _, member, _, headers = setup
    raw = headers["Authorization"].split()[1]
    stored = PersonalToken.objects.get(user=member)
    assert raw not in (stored.digest, stored.hint) and len(stored.digest) == 64


def test_member_reads_and_writes_with_a_token(client, setup):
    community, member, thread, headers = setup
    assert client.get(f"/api/communities/{community.slug}/threads").status_code == 403
    listing = client.get(f"/api/communities/{community.slug}/threads", headers=headers).json()
    assert [t["title"] for t in listing["items"]] == ["Open data portals"]

    key = str(uuid.uuid4())
    for _ in range(2):  # the same submission twice creates one reply
        response = client.post(
            f"/api/threads/{thread.pk}/posts",
            {"body": "We use CKAN.", "idempotency_key": key},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 201
    assert Post.objects.filter(thread=thread).count() == 1
    posts = client.get(f"/api/threads/{thread.pk}/posts", headers=headers).json()["items"]
    assert posts[0]["author"] == "Li Wei" and posts[0]["body"] == "We use CKAN."

    created = client.post(
        f"/api/communities/{community.slug}/threads",
        {"title": "Publishing spend data", "body": "Monthly or quarterly?"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    assert ThreadPage.objects.get(pk=created.json()["id"]).author == member
    members = client.get(f"/api/communities/{community.slug}/memberships", headers=headers).json()[
        "items"
    ]
    assert {
        "community": community.slug,
        "member": "Li Wei",
        "role": "member",
        "status": "active",
    } in members
    assert (
        client.get("/api/me/memberships", headers=headers).json()[0]["community"] == community.slug
    )


def test_errors_are_clear_json(client, setup):
    community, member, thread, headers = setup
    response = client.post(
        f"/api/communities/{community.slug}/threads",
        {"title": "Hi", "body": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400 and "between 5 and 200" in response.json()["detail"]
    ThreadPage.objects.filter(pk=thread.pk).update(is_locked=True)
    response = client.post(
        f"/api/threads/{thread.pk}/posts",
        {"body": "late"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403 and "locked" in response.json()["detail"]
    outsider = UserFactory()
    other = {"Authorization": f"Bearer {do_create_token(outsider, 'x')[1]}"}
    response = client.post(
        f"/api/threads/{thread.pk}/posts",
        {"body": "hello"},
        content_type="application/json",
        headers=other,
    )
    assert response.status_code == 403 and "Join the community" in response.json()["detail"]


def test_revoked_or_wrong_tokens_are_refused_not_anonymous(client, setup):
    community, member, _, headers = setup
    assert (
        client.get("/api/communities/", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )
    do_revoke_token(member, PersonalToken.objects.get(user=member).pk)
    assert client.get("/api/communities/", headers=headers).status_code == 401


def test_session_writes_need_csrf_and_anonymous_writes_are_refused(setup):
    from django.test import Client

    community, member, thread, _ = setup
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(
        f"/api/threads/{thread.pk}/posts", {"body": "x"}, content_type="application/json"
    ).status_code in {401, 403}
    strict.force_login(member)
    response = strict.post(
        f"/api/threads/{thread.pk}/posts", {"body": "x"}, content_type="application/json"
    )
    assert response.status_code in {401, 403}
    assert not Post.objects.exists()


def test_private_communities_are_404_and_unlisted(client, home_page):
    private = CommunityFactory(visibility=Visibility.PRIVATE)
    thread = ThreadFactory(community=private)
    assert private.slug not in [c["slug"] for c in client.get("/api/communities/").json()["items"]]
    assert client.get(f"/api/communities/{private.slug}").status_code == 404
    assert client.get(f"/api/communities/{private.slug}/threads").status_code == 404
    assert client.get(f"/api/threads/{thread.pk}").status_code == 404


def test_openapi_document_and_docs(client, home_page):
    schema = client.get("/api/openapi.json").json()
    assert "/api/communities/{slug}/threads" in schema["paths"]
    assert client.get("/api/docs").status_code == 200
