"""The drill's traffic (Locust): anonymous readers and SPARQL users, and members posting replies.

Run by ``python -m hub.drill`` (``locust --headless -f hub/drill/locustfile.py``). It reads the plan
(``DRILL_PLAN``: pages to read, members and the threads they may reply in) and writes one JSON line per
request to ``DRILL_REQUESTS`` and one per reply the hub acknowledged to ``DRILL_ACKS``. A reply carries a
unique marker and its own idempotency key; after a failure it is sent again with the same key and marker
(as a browser's resubmission would), so the hub must store it once whatever happened.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["DRILL_PLAN"]).read_text())
REQUESTS = Path(os.environ["DRILL_REQUESTS"]).open("a", buffering=1)  # noqa: SIM115 - open for the run
ACKS = Path(os.environ["DRILL_ACKS"]).open("a", buffering=1)  # noqa: SIM115 - open for the run
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SPARQL = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/linked-data/cube#Observation> }"
RETRIES = 3


def error_kind(status: int, exception: BaseException | None) -> str:
    """``ok``, ``4xx``, ``5xx``, ``timeout`` or ``connection``."""
    if exception is not None and not status:
        return "timeout" if "timeout" in repr(exception).lower() else "connection"
    if status >= 500:
        return "5xx"
    if status >= 400:
        return "4xx"
    return "ok"


@events.request.add_listener
def record(
    request_type: str,
    name: str,
    response_time: float,
    response: Any = None,
    exception: BaseException | None = None,
    start_time: float | None = None,
    **kwargs: Any,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    line = {
        "t": start_time or time.time(),
        "method": request_type,
        "name": name,
        "status": status,
        "kind": error_kind(status, exception),
        "ms": round(response_time, 1),
        "retry_after": response.headers.get("Retry-After") if response is not None else None,
    }
    REQUESTS.write(json.dumps(line) + "\n")


class Reader(HttpUser):
    """An anonymous visitor: home, communities, threads, search, areas and measures, and SPARQL."""

    weight = 2
    wait_time = between(0.5, 1.5)

    @task(3)
    def page(self) -> None:
        path = random.choice(PLAN["pages"])
        self.client.get(path, name=path)

    @task(1)
    def search(self) -> None:
        query = random.choice(PLAN["queries"])
        self.client.get(f"/search/?q={query}", name="/search/")

    @task(1)
    def sparql(self) -> None:
        self.client.get(
            "/sparql",
            params={"query": SPARQL},
            headers={"Accept": "application/sparql-results+json"},
            name="/sparql",
        )


class Member(HttpUser):
    """A member who signs in, reads a thread they may post in and replies with a unique marker."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.member = random.choice(PLAN["members"])
        self.signed_in = False

    def sign_in(self) -> bool:
        response = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF.search(response.text or "")
        if not token:
            return False
        response = self.client.post(
            "/accounts/login/",
            data={
                "username": self.member["email"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name="/accounts/login/ (POST)",
        )
        self.signed_in = response.status_code == 302
        return self.signed_in

    @task
    def reply(self) -> None:
        if not self.signed_in and not self.sign_in():
            return
        thread = random.choice(self.member["threads"])
        marker = f"drill{uuid.uuid4().hex[:16]}"
        key = str(uuid.uuid4())
        body = f"Field report {marker}: what worked for us in practice, with figures to follow."
        for attempt in range(1, RETRIES + 1):
            page = self.client.get(thread["url"], name="/thread page")
            token = CSRF.search(page.text or "")
            if page.status_code == 200 and token:
                response = self.client.post(
                    f"/discussions/threads/{thread['id']}/reply/",
                    data={
                        "body": body,
                        "idempotency_key": key,
                        "csrfmiddlewaretoken": token.group(1),
                    },
                    headers={"Referer": f"{self.host}{thread['url']}"},
                    allow_redirects=False,
                    name="/reply (POST)",
                )
                if response.status_code == 302 and "#post-" in response.headers.get("Location", ""):
                    ack = {
                        "t": time.time(),
                        "marker": marker,
                        "email": self.member["email"],
                        "thread": thread["id"],
                        "attempts": attempt,
                    }
                    ACKS.write(json.dumps(ack) + "\n")
                    return
                if response.status_code in (302, 403):
                    self.signed_in = self.sign_in()  # a lost session: sign in again
            time.sleep(min(2.0 * attempt, 5.0))
