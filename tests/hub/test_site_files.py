"""What every site has: /robots.txt, a favicon, and (in the demo too) the hub's own 404 page."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_off_personal_pages(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "User-agent: *" in body and "Disallow: /dashboard/" in body


@pytest.mark.django_db
def test_the_favicon_is_linked_from_every_page_and_asked_for_by_its_old_name(client, home_page):
    html = client.get("/").content.decode()
    assert 'rel="icon"' in html and "hub/favicon.svg" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("hub/favicon.svg")
    assert (ROOT / "hub/static/hub/favicon.svg").read_text().startswith("<svg")


@pytest.mark.django_db
def test_an_unknown_url_is_the_hub_s_own_404_page(client, home_page):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Knowledge Hub" in response.content.decode()
    assert "Django tried these URL patterns" not in response.content.decode()


def test_make_run_serves_visitors_with_debug_off_and_prints_emails_on_its_console():
    """``make run``'s server and worker run with DEBUG off (the hub's own error pages) and the
    console email backend (emails printed in its terminal); the worker's log goes to a file."""
    plan = subprocess.run(
        ["make", "-n", "-o", "install", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    serving = [line for line in plan.splitlines() if "runserver" in line or "hub_worker" in line]
    assert serving
    for line in serving:
        assert "DEBUG=false" in line
        assert "EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend" in line
    assert "2>var/worker.log" in plan and ">var/worker.log 2>&1" not in plan
