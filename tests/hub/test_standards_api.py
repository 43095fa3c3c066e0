"""The JSON API's standards: one JSON error shape for every error, an OpenAPI 3 document that says
so (both ways of signing in, every parameter described), links absolute on the caller's host, and
Schemathesis driving the live API from that document without a 5xx or an undocumented answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from communities.models import Visibility
from communities.people.services.tokens import do_create_token
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

SHAPE = {"status", "code", "message", "detail", "errors"}


@pytest.fixture
def hub(home_page):
    """An open and a restricted community with a thread each, a member with a personal token."""
    open_community = CommunityFactory(title="Waste and recycling")
    restricted = CommunityFactory(title="Digital and data", visibility=Visibility.RESTRICTED)
    member = UserFactory(display_name="Li Wei")
    MembershipFactory(community=restricted, user=member)
    thread = ThreadFactory(community=open_community, title="Food waste rollout")
    PostFactory(thread=thread, body="We used caddies.")
    members_thread = ThreadFactory(community=restricted, title="Open data portals")
    token = do_create_token(member, "script")[1]
    return {
        "open": open_community,
        "restricted": restricted,
        "thread": thread,
        "members_thread": members_thread,
        "token": token,
    }


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == SHAPE, body
    assert body["status"] == status and body["code"] == code
    assert body["message"] and body["message"] == body["detail"]
    return body


@pytest.mark.django_db
def test_every_error_is_json_in_one_shape(client, hub):
    assert_error(client.get("/api/nope"), 404, "not_found")
    assert_error(client.get("/api/threads/abc"), 404, "not_found")
    assert_error(client.get("/api/threads/999999"), 404, "not_found")
    assert_error(client.get("/api/communities/no-such-community"), 404, "not_found")
    assert_error(client.delete(f"/api/threads/{hub['thread'].pk}"), 405, "method_not_allowed")
    assert_error(
        client.get("/api/me/memberships", headers={"Authorization": "Bearer hub_mistyped"}),
        401,
        "unauthorized",
    )
    unsigned = assert_error(client.get("/api/me/memberships"), 401, "unauthorized")
    assert "personal token" in unsigned["message"]
    members_only = assert_error(
        client.get(f"/api/communities/{hub['restricted'].slug}/threads"), 403, "forbidden"
    )
    assert "members" in members_only["message"]
    wrong_type = assert_error(
        client.get(f"/api/communities/{hub['open'].slug}/threads?limit=many"), 422, "invalid"
    )
    assert [e["field"] for e in wrong_type["errors"]] == ["limit"]
    assert_error(client.get("/api/good-practice/?page=x"), 422, "invalid")
    nul = assert_error(client.get("/api/search/?q=a%00b"), 400, "bad_request")
    assert nul["message"]


@pytest.mark.django_db
def test_a_bad_body_and_too_many_posts_are_json(client, hub, settings):
    headers = {"Authorization": f"Bearer {hub['token']}"}
    url = f"/api/communities/{hub['restricted'].slug}/threads"
    assert_error(
        client.post(url, "{not json", content_type="application/json", headers=headers),
        400,
        "bad_request",
    )
    missing = assert_error(
        client.post(url, {"title": "No body"}, content_type="application/json", headers=headers),
        422,
        "invalid",
    )
    assert "body" in {e["field"] for e in missing["errors"]}
    short = assert_error(
        client.post(
            url, {"title": "Hi", "body": "x"}, content_type="application/json", headers=headers
        ),
        400,
        "bad_request",
    )
    assert "between 5 and 200" in short["message"]

    settings.POSTS_PER_HOUR = 0
    assert_error(
        client.post(
            f"/api/threads/{hub['members_thread'].pk}/posts",
            {"body": "One more thought."},
            content_type="application/json",
            headers=headers,
        ),
        429,
        "too_many_requests",
    )


@pytest.mark.django_db
def test_openapi_declares_schemes_parameters_and_errors(client, hub):
    document = client.get("/api/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["PersonalTokenAuth"]["type"] == "http"
    assert schemes["PersonalTokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"] == {**schemes["SessionAuth"], "type": "apiKey", "in": "cookie"}
    error = {"$ref": "#/components/schemas/ErrorOut"}
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == SHAPE

    search = document["paths"]["/api/search/"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "page", "type", "tag", "year"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{where}: {parameter['name']} undescribed"
            assert operation["security"], where
            statuses = set(operation["responses"])
            assert {"400", "401"} <= statuses, where
            if "{" in path:
                assert "404" in statuses, where
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in statuses, where
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert response["content"]["application/json"]["schema"] == error, where
    post = document["paths"]["/api/threads/{thread_id}/posts"]["post"]
    assert post["security"] == [{"PersonalTokenAuth": []}, {"SessionAuth": []}]
    assert {"403", "429"} <= set(post["responses"])


@pytest.mark.django_db
def test_links_are_absolute_on_the_callers_host(client, hub, settings):
    case = GoodPracticeFactory(title="Shared waste contracts")
    headers = {"Authorization": f"Bearer {hub['token']}"}
    settings.ALLOWED_HOSTS = ["hub.example.gov.uk", "proxy.internal"]

    answers = {
        "community": client.get(
            f"/api/communities/{hub['open'].slug}", HTTP_HOST="hub.example.gov.uk"
        ).json(),
        "thread": client.get(
            f"/api/threads/{hub['thread'].pk}", HTTP_HOST="hub.example.gov.uk"
        ).json(),
        "listed": client.get(
            f"/api/communities/{hub['restricted'].slug}/threads",
            HTTP_HOST="hub.example.gov.uk",
            headers=headers,
        ).json()["items"][0],
        "case study": client.get(
            f"/api/good-practice/{case.pk}", HTTP_HOST="hub.example.gov.uk"
        ).json(),
        "library": client.get("/api/good-practice/", HTTP_HOST="hub.example.gov.uk").json()[
            "results"
        ][0],
    }
    for what, answer in answers.items():
        assert answer["url"].startswith("http://hub.example.gov.uk/"), (what, answer["url"])
    assert answers["case study"]["url"].endswith(case.url)

    # Behind a proxy: its scheme and, when USE_X_FORWARDED_HOST is on, the host the client asked for.
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = client.get(
        f"/api/threads/{hub['thread'].pk}",
        HTTP_HOST="proxy.internal",
        HTTP_X_FORWARDED_HOST="hub.example.gov.uk",
        HTTP_X_FORWARDED_PROTO="https",
    ).json()
    assert proxied["url"] == f"https://hub.example.gov.uk{hub['thread'].url}"
    # A host the hub does not answer to is refused, never written into an answer.
    forged = client.get(f"/api/threads/{hub['thread'].pk}", HTTP_HOST="evil.example")
    assert forged.status_code == 400


SCHEMATHESIS_CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.long
@pytest.mark.parametrize("caller", ["anonymous", "personal token"])
def test_schemathesis_finds_no_server_error_or_undocumented_answer(
    live_server, home_page, caller, tmp_path: Path
):
    """Schemathesis generates requests from /api/openapi.json against the live server: a few
    examples per operation, derandomised, so the run is bounded and reproducible."""
    open_community = CommunityFactory(title="Waste and recycling")
    thread = ThreadFactory(community=open_community, title="Food waste rollout")
    PostFactory(thread=thread)
    GoodPracticeFactory(title="Shared waste contracts")
    member = UserFactory()
    MembershipFactory(community=open_community, user=member)
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{live_server.url}/api/openapi.json",
        f"--url={live_server.url}",
        f"--checks={SCHEMATHESIS_CHECKS}",
        # Signed in, every phase; anonymous, the generated requests only (the coverage phase's
        # boundary and wrong-type requests mostly meet the same refusals a second time).
        "--phases=examples,coverage,fuzzing"
        if caller == "personal token"
        else "--phases=examples,fuzzing",
        "--max-examples=5",
        "--generation-deterministic",  # the same requests on every run
        "--workers=1",
        "--no-color",
        f"--report-dir={tmp_path}",
    ]
    if caller == "personal token":
        command.append(f"--header=Authorization: Bearer {do_create_token(member, 'st')[1]}")
    run = subprocess.run(  # in tmp_path, where Schemathesis keeps its cache
        command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
