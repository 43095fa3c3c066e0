"""Wagtail's admin is closed to member content: communities and threads change only on the hub."""

import pytest

from communities.models import CommunityPage, ThreadPage
from tests.factories import PASSWORD, CommunityFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSAL = "changed on the hub itself"


@pytest.fixture
def admin(client, home_page):
    user = UserFactory(email="admin@hub.example.gov.uk", is_staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_admin_refuses_to_edit_delete_move_or_unpublish_a_thread(admin):
    thread = ThreadFactory(title="Food waste collections")
    other = CommunityFactory()
    PostFactory(thread=thread)
    for url in (
        f"/admin/pages/{thread.pk}/edit/",
        f"/admin/pages/{thread.pk}/delete/",
        f"/admin/pages/{thread.pk}/move/{other.pk}/confirm/",
        f"/admin/pages/{thread.pk}/copy/",
    ):
        response = admin.get(url, follow=True)
        assert REFUSAL in response.content.decode(), url

    admin.post(f"/admin/pages/{thread.pk}/delete/")
    admin.post(
        f"/admin/pages/{thread.pk}/edit/", {"title": "Renamed", "body": "x", "slug": "renamed"}
    )
    admin.post(f"/admin/pages/{thread.pk}/move/{other.pk}/confirm/")
    admin.post(f"/admin/pages/{thread.pk}/unpublish/")
    moved_or_changed = ThreadPage.objects.get(pk=thread.pk)
    assert moved_or_changed.live and moved_or_changed.title == "Food waste collections"
    assert (
        moved_or_changed.community_id == thread.community_id and moved_or_changed.posts.count() == 1
    )


def test_the_admin_refuses_to_create_or_edit_a_community(admin):
    community = CommunityFactory(title="Highways")
    index = community.get_parent()

    for url in (
        f"/admin/pages/add/communities/communitypage/{index.pk}/",
        f"/admin/pages/add/communities/threadpage/{community.pk}/",
    ):
        response = admin.post(
            url,
            {
                "title": "Made in the admin",
                "slug": "made-in-the-admin",
                "body": "x",
                "description": "x",
                "visibility": "open",
            },
            follow=True,
        )
        assert "permission" in response.content.decode()  # not creatable in the admin at all
    assert REFUSAL in admin.get(f"/admin/pages/{community.pk}/edit/", follow=True).content.decode()
    assert CommunityPage.objects.count() == 1 and not ThreadPage.objects.exists()


def test_the_admin_still_edits_the_sites_own_pages(admin, home_page):
    assert admin.get(f"/admin/pages/{home_page.pk}/edit/").status_code == 200
