"""In Chromium, under the hub's Content-Security-Policy: no violation on the main pages, and what relies on
scripts (autocomplete, the admin, the API docs) and the charts still work."""

from urllib.parse import urlsplit

import pytest

from communities.models import Visibility
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import CommunityFactory, PostFactory, ThreadFactory, UserFactory
from tests.linkeddata import conftest as linkeddata_fixtures
from tests.search.conftest import SearchIndex

# The benchmarking fixtures of the linked-data tests (a small recycling dataset over real councils).
councils = linkeddata_fixtures.councils
rdf_store = linkeddata_fixtures.rdf_store
recycling = linkeddata_fixtures.recycling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Watched:
    """A browser page that records CSP violations (events and console errors) and every request."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console_errors.append(message.text)

    def assert_no_violations(self) -> None:
        events = self.page.evaluate("window.__cspViolations")
        assert events == [], f"CSP violations on {self.page.url}: {events}"
        assert self.console_errors == [], self.console_errors


@pytest.fixture
def watched(page):
    return Watched(page)


def test_home_and_thread_pages_run_with_no_violation(watched, home_page):
    community = CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    thread = ThreadFactory(community=community, title="Food waste caddies", body="**Bold** plan.")
    PostFactory(thread=thread, body="We rolled out in *May*.")

    watched.page.goto("/")
    assert watched.page.get_by_role("link", name="Waste and recycling").is_visible()
    watched.assert_no_violations()

    watched.page.goto(thread.url)
    assert watched.page.get_by_role("heading", level=1).inner_text() == "Food waste caddies"
    assert watched.page.get_by_text("We rolled out in").is_visible()
    watched.assert_no_violations()


def test_search_and_autocomplete_work_with_no_violation(watched, elasticsearch, home_page):
    from search.indexes import ensure_index

    ensure_index()
    community = CommunityFactory(title="Waste and recycling", tags=["recycling"])
    ThreadFactory(community=community, title="Recycling contamination", tags=["recycling"])
    SearchIndex(elasticsearch).sync()

    watched.page.goto("/search/?q=recycling")
    assert watched.page.get_by_role("link", name="Recycling contamination").first.is_visible()
    watched.assert_no_violations()

    box = watched.page.get_by_role("searchbox", name="Search the hub")
    box.fill("")
    box.press_sequentially("recycling cont", delay=20)
    option = watched.page.get_by_role("option").first
    option.wait_for()
    assert "Recycling contamination" in option.inner_text()
    watched.assert_no_violations()


def test_area_measure_and_compare_charts_render_with_no_violation(watched, recycling, home_page):
    watched.page.goto("/doc/measure/recycling?period=2023-24")
    chart = watched.page.locator("figure.ld-chart svg.pygal-chart")
    assert chart.is_visible()
    assert chart.locator("script").count() == 0
    # the chart's own <style> applies: its background is drawn white, its title in the set font size
    assert chart.locator(".title").first.evaluate("el => getComputedStyle(el).fontSize") == "16px"
    watched.assert_no_violations()

    watched.page.goto("/doc/area/E08000035")
    assert watched.page.get_by_role("heading", level=1).inner_text() == "Leeds"
    watched.assert_no_violations()

    watched.page.goto("/data/compare/E08000035/")
    assert watched.page.get_by_role(
        "img", name="Recycling rate: Leeds compared with its ONS similar councils (average)"
    ).is_visible()
    watched.assert_no_violations()


def test_wagtail_admin_dashboard_works_with_no_violation(watched, home_page):
    UserFactory(email="editor@hub.example.gov.uk", is_staff=True, is_superuser=True)

    watched.page.goto("/admin/login/")
    watched.page.locator("#id_username").fill("editor@hub.example.gov.uk")
    watched.page.locator("#id_password").fill(FACTORY_PASSWORD)
    watched.page.get_by_role("button", name="Sign in").click()
    watched.page.wait_for_url("**/admin/")
    assert "Dashboard" in watched.page.title()
    # the admin's scripts run: the sidebar's Pages button opens the page explorer
    watched.page.get_by_role("button", name="Pages").first.click()
    watched.page.get_by_role("link", name="Local Government Knowledge Hub").first.wait_for()
    watched.assert_no_violations()


def test_api_docs_load_their_assets_from_the_hub_alone(watched, live_server):
    watched.page.goto("/api/docs")

    watched.page.get_by_text("Local Government Knowledge Hub API").first.wait_for()
    watched.page.locator(".opblock").first.wait_for()  # Swagger UI read the OpenAPI document
    hub = urlsplit(live_server.url).netloc
    elsewhere = [url for url in watched.requests if urlsplit(url).netloc not in {hub, ""}]
    assert elsewhere == []
    assert any("/static/ninja/swagger-ui-bundle" in url for url in watched.requests)
    html = watched.page.content()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    watched.assert_no_violations()
