"""Hostile numbers and NUL characters, against a live server on PostgreSQL: every door answers
with a 404 or a 400 that says what was wrong, never a server error."""

from __future__ import annotations

import pytest

from communities.models import Post, ThreadPage, Visibility
from communities.people.services.tokens import do_create_token
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)
from tests.live_http import LiveClient

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = "99999999999999999999"  # beyond PostgreSQL's bigint
BIGINT_PLUS_ONE = str(2**63)


@pytest.fixture
def hub(home_page):
    community = CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    member = UserFactory(display_name="Ada Member")
    MembershipFactory(community=community, user=member)
    thread = ThreadFactory(community=community, author=member, title="Food waste collections")
    post = PostFactory(thread=thread, author=member, body="Weekly collections worked for us.")
    case_study = GoodPracticeFactory(title="Shared food waste contracts")
    token = do_create_token(member, "script")[1]
    return {
        "community": community,
        "member": member,
        "thread": thread,
        "post": post,
        "case_study": case_study,
        "auth": {"Authorization": f"Bearer {token}"},
    }


ID_PAGES = [
    "/discussions/threads/{n}/reply/",
    "/discussions/threads/{n}/edit/",
    "/discussions/posts/{n}/edit/",
    "/discussions/posts/{n}/history/",
    "/discussions/attachments/{n}/",
    "/notifications/{n}/",
    "/feeds/threads/{n}/rss/",
    "/members/{n}/",
    "/community-proposals/{n}/decide/",
    "/good-practice/submissions/{n}/",
    "/good-practice/review/{n}/",
    "/good-practice/{n}/helped/",
    "/communities/{slug}/members/{n}/remove/",
    "/communities/{slug}/requests/{n}/",
    "/communities/{slug}/moderation/threads/{n}/",
    "/communities/{slug}/moderation/posts/{n}/hide/",
    "/api/threads/{n}",
    "/api/threads/{n}/posts",
    "/api/good-practice/{n}",
]


def assert_not_found(client: LiveClient, path: str) -> None:
    """``path`` is a 404 (after the redirect to its slash URL for paths without one)."""
    answer = client.get(path)
    if answer.status == 301 and not path.endswith("/"):  # nothing matches: the slash URL is tried
        assert answer.location.endswith(f"{path}/")
        answer = client.get(f"{path}/")
    assert answer.status == 404, (path, answer.status)


def test_ids_beyond_the_database_range_are_not_found_on_every_door(live_server, hub):
    member = LiveClient.as_user(live_server.url, hub["member"])
    staff = LiveClient.as_user(live_server.url, UserFactory(is_staff=True))
    slug = hub["community"].slug
    for template in ID_PAGES:
        for number, client in ((HUGE, member), (BIGINT_PLUS_ONE, staff)):
            path = template.format(n=number, slug=slug)
            assert_not_found(client, path)
            answer = client.post(path, {"body": "x"})
            assert answer.status in (301, 404, 405), (path, answer.status)


def test_page_numbers_beyond_the_range_are_a_bad_request_that_says_so(live_server, hub):
    member = LiveClient.as_user(live_server.url, hub["member"])
    community_url = hub["community"].url
    pages = [
        community_url,
        hub["thread"].url,
        "/good-practice/",
        "/members/",
        f"/communities/{hub['community'].slug}/members/",
        "/notifications/",
    ]
    for path in pages:
        for number in (HUGE, "2147483648", "-1", "1e400"):
            answer = member.get(f"{path}?page={number}")
            assert answer.status == 400, (path, number, answer.status)
            assert "page number must be a whole number" in answer.text
        assert member.get(f"{path}?page=999999").status == 200  # in range: the last page
    answer = member.get(f"/api/good-practice/?page={HUGE}")
    assert answer.status == 400
    assert "page number" in answer.json()["detail"]
    assert member.get("/api/good-practice/?page=3").status == 200


def test_api_limits_and_offsets_beyond_the_range_are_a_bad_request(live_server, hub):
    api = LiveClient(live_server.url)
    slug = hub["community"].slug
    for query in (f"offset={HUGE}", f"limit={HUGE}", "offset=2147483648"):
        for path in (f"/api/communities/{slug}/threads", f"/api/threads/{hub['thread'].pk}/posts"):
            answer = api.get(f"{path}?{query}", headers=hub["auth"])
            assert answer.status in (400, 422), (path, query, answer.status)
            assert answer.status != 500
    answer = api.get(f"/api/communities/{slug}/threads?offset={HUGE}", headers=hub["auth"])
    assert answer.status == 400 and "offset" in answer.json()["detail"]
    listing = api.get(f"/api/communities/{slug}/threads?offset=1000", headers=hub["auth"])
    assert listing.status == 200 and listing.json()["items"] == []


def test_admin_and_linked_data_numbers_out_of_range_are_not_found(live_server, hub):
    staff = LiveClient.as_user(live_server.url, UserFactory(is_staff=True, is_superuser=True))
    for path in (f"/admin/pages/{HUGE}/", f"/admin/pages/{HUGE}/edit/"):
        assert_not_found(staff, path)
    anonymous = LiveClient(live_server.url)
    for path in (f"/doc/slice/recycling/{HUGE}", f"/doc/observation/recycling/E06000001/{HUGE}"):
        assert_not_found(anonymous, path)


# -- NUL characters ------------------------------------------------------------------------------


def test_nul_in_a_form_post_is_refused_with_a_message_and_nothing_is_written(live_server, hub):
    member = LiveClient.as_user(live_server.url, hub["member"])
    before = ThreadPage.objects.count()
    answer = member.post(
        f"/communities/{hub['community'].slug}/new-thread/",
        {"title": "Bins\x00 and more bins", "body": "Fortnightly?"},
    )
    assert answer.status == 400
    assert "NUL character" in answer.text
    assert ThreadPage.objects.count() == before
    answer = member.post(f"/discussions/threads/{hub['thread'].pk}/reply/", {"body": "a\x00b"})
    assert answer.status == 400 and "NUL character" in answer.text


def test_nul_in_a_query_string_is_refused_with_a_message(live_server, hub):
    anonymous = LiveClient(live_server.url)
    for path in (
        "/search/?q=bins%00",
        f"{hub['community'].url}?tag=%00",
        "/good-practice/?tag=food%00waste",
        "/members/?q=%00",
        "/data/areas/?q=%00",
        "/api/good-practice/?tag=%00",
        "/api/search/?q=%00",
    ):
        answer = anonymous.get(path)
        assert answer.status == 400, (path, answer.status)
        assert "NUL character" in answer.text, path


def test_nul_in_the_api_is_refused_as_json(live_server, hub):
    api = LiveClient(live_server.url)
    before = Post.objects.count()
    answer = api.post_json(
        f"/api/threads/{hub['thread'].pk}/posts",
        {"body": "We use\u0000 CKAN."},
        headers=hub["auth"],
    )
    assert answer.status == 400
    assert "NUL character" in answer.json()["detail"]
    assert Post.objects.count() == before
    answer = api.post_json(
        f"/api/communities/{hub['community'].slug}/threads",
        {"title": "Publishing spend data", "body": "ok", "tags": ["a\u0000"]},
        headers=hub["auth"],
    )
    assert answer.status == 400
    answer = api.get("/api/me/memberships", headers={"Authorization": "Bearer hub_\x00"})
    assert answer.status == 400


def test_search_doors_take_huge_numbers_without_a_server_error(live_server, hub):
    """Search reads its own numbers (it falls back to the first page); none of them is a 500."""
    anonymous = LiveClient(live_server.url)
    for path in (
        f"/search/?q=food&page={HUGE}",
        f"/search/go/?doc=thread-{HUGE}&pos={HUGE}&s={HUGE}",
        f"/api/search/?q=food&page={HUGE}",
        f"/api/search/related/thread-{HUGE}",
    ):
        answer = anonymous.get(path)
        assert answer.status in (200, 400, 404), (path, answer.status)
