"""What the drill reads from the stack: the plan of its traffic, the backlogs, and the final verdicts.

It reads the drill's own database with SQL (psycopg), Elasticsearch and the SPARQL server over HTTP and
the email files on disk, so it judges the hub from outside, as an operator would.
"""

from __future__ import annotations

import email
import json
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

import psycopg

# hub.services.demo.DEMO_PASSWORD, the demo's published sign-in (the drill runs without Django set up)
DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105
QUERIES = ["recycling", "homelessness", "food waste", "retrofit", "social care", "council tax"]
KNOWN_FACTS = """ASK {
  ?observation a <http://purl.org/linked-data/cube#Observation> .
}"""
TRIPLE_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def connect(database_url: str) -> psycopg.Connection:
    return psycopg.connect(database_url, autocommit=True, connect_timeout=3)


def _get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def build_plan(database_url: str, hub_url: str) -> dict[str, Any]:
    """The traffic's plan: pages anyone may read, and members with the threads they may reply in."""
    with connect(database_url) as conn:
        threads = conn.execute(
            """SELECT t.page_ptr_id, p.url_path, t.community_id, t.author_id
               FROM communities_threadpage t
               JOIN wagtailcore_page p ON p.id = t.page_ptr_id
               WHERE p.live AND NOT t.is_locked ORDER BY p.path"""
        ).fetchall()
        communities = conn.execute(
            """SELECT p.url_path FROM communities_communitypage c
               JOIN wagtailcore_page p ON p.id = c.page_ptr_id WHERE p.live ORDER BY p.path"""
        ).fetchall()
        memberships = conn.execute(
            """SELECT u.email, m.community_id, u.id FROM communities_membership m
               JOIN auth_user u ON u.id = m.user_id
               WHERE m.status = 'active' AND u.is_active ORDER BY u.email"""
        ).fetchall()
        areas = conn.execute("SELECT gss_code FROM linkeddata_area ORDER BY gss_code LIMIT 5")
        area_codes = [row[0] for row in areas.fetchall()]
        measures = [row[0] for row in conn.execute("SELECT slug FROM linkeddata_measure LIMIT 3")]

    def url(url_path: str) -> str:
        return "/" + url_path.strip("/").split("/", 1)[1] + "/" if url_path.count("/") > 2 else "/"

    candidates = ["/", "/communities/", "/data/", "/data/areas/"]
    candidates += [url(row[0]) for row in communities]
    candidates += [url(row[1]) for row in threads]
    candidates += [f"/doc/area/{code}" for code in area_codes]
    candidates += [f"/doc/measure/{slug}" for slug in measures]
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda path: _get(hub_url + path)[0], candidates))
    pages = [path for path, status in zip(candidates, statuses, strict=True) if status == 200]
    thread_urls = {row[0]: url(row[1]) for row in threads}
    members: dict[str, list[dict[str, Any]]] = {}
    for address, community, user_id in memberships:
        for thread_id, _path, thread_community, author_id in threads:
            # someone else's thread: its author follows it, so every reply notifies somebody
            if thread_community == community and author_id != user_id:
                members.setdefault(address, []).append(
                    {"id": thread_id, "url": thread_urls[thread_id]}
                )
    return {
        "pages": pages,
        "queries": QUERIES,
        "password": DEMO_PASSWORD,
        "members": [{"email": key, "threads": value} for key, value in members.items()],
    }


# -- backlogs ---------------------------------------------------------------------------------------


def backlog(database_url: str) -> dict[str, set[str]]:
    """What waits to be done: tasks not finished, search outbox entries, pending publications."""
    with connect(database_url) as conn:
        tasks = conn.execute(
            "SELECT id::text FROM django_tasks_database_dbtaskresult "
            "WHERE status IN ('READY', 'RUNNING') "
            # not the tasks deferred for later (the daily digest); 9999 is "as soon as possible"
            "AND (run_after <= now() + interval '1 minute' OR run_after >= '9999-01-01')"
        ).fetchall()
        # entries given up on (failed_at set) count too: their documents are not indexed
        outbox = conn.execute("SELECT id::text FROM search_outboxentry").fetchall()
        publications = conn.execute(
            "SELECT graph || '@' || requested_at::text FROM linkeddata_pendingpublication"
        ).fetchall()
        emails: list[tuple[Any, ...]] = []
        if conn.execute("SELECT to_regclass('floor_outboundemail') IS NOT NULL").fetchone() == (
            True,
        ):
            emails = conn.execute(
                "SELECT id::text FROM floor_outboundemail WHERE sent_at IS NULL"
            ).fetchall()
    return {
        "tasks": {row[0] for row in tasks},
        "email outbox": {row[0] for row in emails},
        "search outbox": {row[0] for row in outbox},
        "linked-data publications": {row[0] for row in publications},
    }


def search_outbox_state(database_url: str) -> str:
    """One line on the search outbox: entries, retries, when the next is due, the last error."""
    with connect(database_url) as conn:
        row = conn.execute(
            """SELECT count(*), max(attempts), count(failed_at),
                      extract(epoch from min(next_attempt_at) - now()),
                      extract(epoch from max(next_attempt_at) - now()), max(last_error)
               FROM search_outboxentry"""
        ).fetchone()
    if not row or not row[0]:
        return "search outbox empty"
    count, attempts, failed, first, last, error = row
    return (
        f"search outbox: {count} entries, up to {attempts} attempts, {failed} given up, next "
        f"attempts due in {float(first):.0f} to {float(last):.0f} s; last error {str(error)[:60]!r}"
    )


def running_task(database_url: str) -> tuple[str, str] | None:
    """(task id, worker id) of a task a worker is running now, if any."""
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT id::text, worker_ids->>-1 FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'RUNNING' ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    return (row[0], row[1]) if row else None


# -- linked data ------------------------------------------------------------------------------------


def linked_data_fingerprint(sparql_base: str) -> dict[str, Any]:
    """The SPARQL server's triple count and whether a known fact holds."""

    def ask(query: str) -> Any:
        url = f"{sparql_base}/query?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(  # noqa: S310 - loopback
            url, headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return json.load(response)

    count = int(ask(TRIPLE_COUNT)["results"]["bindings"][0]["n"]["value"])
    return {"triples": count, "known facts": bool(ask(KNOWN_FACTS)["boolean"])}


# -- final verdicts ---------------------------------------------------------------------------------


@dataclass
class Verdict:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))

    @property
    def ok(self) -> bool:
        return all(ok for _name, ok, _detail in self.checks)


def emails_by_marker(mail_dir: Path) -> Counter[tuple[str, str]]:
    """How many emails each (recipient, reply marker) pair got, from the file backend's files."""
    counts: Counter[tuple[str, str]] = Counter()
    separator = "\n" + "-" * 79 + "\n"
    for path in mail_dir.glob("*.log"):
        for raw in path.read_text(errors="replace").split(separator):
            if not raw.strip():
                continue
            message = email.message_from_string(raw.lstrip(), policy=policy.default)
            body = message.get_body(preferencelist=("plain",))
            text = body.get_content() if body is not None else ""
            for word in text.split():
                if word.startswith("drill") and word.endswith(":"):
                    counts[(str(message["To"]), word[:-1])] += 1
    return counts


def indexed_markers(es_url: str, prefix: str, posts: dict[str, int]) -> set[str]:
    """The markers whose reply Elasticsearch holds (a post document with the marker in its body)."""
    found: set[str] = set()
    # A write is searchable after the index's next refresh (a second): refresh first, so a reply
    # indexed just before the check is not taken for a lost one.
    refresh = urllib.request.Request(f"{es_url}/{prefix}*/_refresh", data=b"", method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(refresh, timeout=30) as response:  # noqa: S310 - loopback
        response.read()
    items = sorted(posts.items())
    for start in range(0, len(items), 500):
        chunk = dict(items[start : start + 500])
        query = {
            "size": len(chunk),
            "_source": ["object_id", "body"],
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"doc_type": "post"}},
                        {"terms": {"object_id": list(chunk.values())}},
                    ]
                }
            },
        }
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{es_url}/{prefix}*/_search",
            data=json.dumps(query).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            hits = json.load(response)["hits"]["hits"]
        bodies = " ".join(hit["_source"].get("body", "") for hit in hits)
        found.update(marker for marker in chunk if marker in bodies)
    return found


def verify_replies(
    database_url: str, es_url: str, mail_dir: Path, acks: list[dict[str, Any]]
) -> Verdict:
    """Every acknowledged reply stored once, indexed, notified, and emailed once per notification."""
    verdict = Verdict()
    markers = sorted({ack["marker"] for ack in acks})
    with connect(database_url) as conn:
        rows = conn.execute(
            "SELECT id, substring(body from 'drill[0-9a-f]{16}') FROM communities_post "
            "WHERE body LIKE 'Field report drill%%' AND NOT is_deleted"
        ).fetchall()
        stored = Counter(marker for _id, marker in rows)
        post_of = {marker: post_id for post_id, marker in rows}
        notifications = conn.execute(
            """SELECT n.id, n.post_id, u.email, n.emailed_at IS NOT NULL,
                      coalesce(s.email_frequency, 'immediate')
               FROM communities_notification n JOIN auth_user u ON u.id = n.recipient_id
               LEFT JOIN communities_notificationsettings s ON s.user_id = n.recipient_id
               WHERE n.post_id = ANY(%s)""",
            [list(post_of.values())],
        ).fetchall()
    lost = [marker for marker in markers if stored[marker] == 0]
    doubled = [marker for marker, count in stored.items() if count > 1]
    verdict.add(
        "stored exactly once",
        not lost and not doubled,
        f"{len(markers)} acknowledged replies; {len(rows)} drill replies stored; "
        f"lost {len(lost)} {lost[:3]}; stored twice or more {len(doubled)} {doubled[:3]}",
    )
    found = indexed_markers(
        es_url, "drill", {marker: post_of[marker] for marker in markers if stored[marker]}
    )
    unindexed = [marker for marker in markers if stored[marker] and marker not in found]
    verdict.add("indexed", not unindexed, f"{len(found)} found by marker; missing {unindexed[:3]}")
    notified_posts = {post_id for _id, post_id, *_rest in notifications}
    silent = [marker for marker in markers if post_of.get(marker) not in notified_posts]
    verdict.add(
        "notified",
        not silent,
        f"{len(notifications)} notification rows for {len(notified_posts)} replies; "
        f"replies without one {len(silent)} {silent[:3]}",
    )
    sent = emails_by_marker(mail_dir)
    marker_of = {post_id: marker for marker, post_id in post_of.items()}
    missing, duplicated, unmarked = [], [], 0
    expected: set[tuple[str, str]] = set()
    for _id, post_id, address, emailed, frequency in notifications:
        key = (address, marker_of[post_id])
        if frequency != "immediate":
            continue
        expected.add(key)
        if sent[key] == 0:
            missing.append(key)
        elif sent[key] > 1:
            duplicated.append(key)
        if emailed and sent[key] == 0:
            unmarked += 1
    stray = [key for key in sent if key not in expected]
    verdict.add(
        "emailed exactly once",
        not missing and not duplicated and not stray,
        f"{sum(sent.values())} emails for {len(expected)} immediate notifications; "
        f"missing {len(missing)}, sent twice or more {len(duplicated)} {duplicated[:2]}, "
        f"without a notification {len(stray)}",
    )
    return verdict
