"""A small real HTTP client for tests against pytest-django's ``live_server``: no redirects
followed (tests look at them), a member's session when asked, CSRF handled as a browser would."""

from __future__ import annotations

import http.client
import json as jsonlib
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.test import Client

CSRF = "k" * 32  # an unmasked CSRF secret, sent as the cookie and the header


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class LiveClient:
    base_url: str
    cookies: dict[str, str] = field(default_factory=lambda: {"csrftoken": CSRF})

    @classmethod
    def as_user(cls, base_url: str, user: Any = None) -> LiveClient:
        """A client signed in as ``user`` (anonymous when None), through a real session."""
        client = cls(base_url)
        if user is not None:
            django_client = Client()
            django_client.force_login(user)
            client.cookies["sessionid"] = django_client.cookies["sessionid"].value
        return client

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        sent = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": CSRF,
            **(headers or {}),
        }
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            for header in response.msg.get_all("Set-Cookie") or []:  # keep cookies, as a browser
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        return self.request(
            "POST",
            path,
            body=urlencode(data or {}, doseq=True).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )

    def post_json(self, path: str, document: Any, headers: dict[str, str] | None = None) -> Answer:
        return self.request(
            "POST",
            path,
            body=jsonlib.dumps(document).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
