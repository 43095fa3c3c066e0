"""A member from Leeds (the demo's Amira Khan) sees councils like hers on the dashboard, then Leeds's
page with its practice, communities and members panels and the hex map; axe-core finds nothing at
1280 and 390 px. Walked in the same browser test as her question about a figure
(``tests/communities/discussions/test_browser_anchored.py``): one load of the demo for both."""

import re

from tests.communities.test_browser_workflows import check_at_both_widths


def see_councils_like_hers_and_leeds_on_the_map(page, check_accessibility) -> None:
    """The journey, on the demo, with Amira Khan signed in."""
    page.goto("/dashboard/")
    panel = page.get_by_role("region", name="Councils like yours")
    assert panel.is_visible()
    assert panel.get_by_text(re.compile(r"compares with its \d+ ONS similar councils")).is_visible()
    assert panel.get_by_text(re.compile(r"(best|middle|worst) third")).first.is_visible()
    assert panel.get_by_role("heading", name="Good practice from similar councils").is_visible()
    check_at_both_widths(page, check_accessibility)

    panel.get_by_role("link", name="Leeds").first.click()
    page.wait_for_url("**/doc/area/E08000035")
    assert page.get_by_role("heading", name="Good practice from Leeds").is_visible()
    assert page.get_by_role("heading", name="Members from Leeds").is_visible()
    assert page.get_by_role("link", name="Amira Khan").is_visible()
    hex_map = page.locator("svg.hex-map")
    assert hex_map.is_visible()
    leeds = hex_map.get_by_role("link", name=re.compile(r"^Leeds: .+ third$"))
    assert leeds.count() == 1
    assert page.get_by_text("This council (thick outline)").is_visible()
    check_at_both_widths(page, check_accessibility)

    # On a phone the map scales to the screen's width.
    page.set_viewport_size({"width": 390, "height": 900})
    box = hex_map.bounding_box()
    assert box is not None and box["width"] <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    # Each hexagon is a link to its council's page.
    leeds.click()
    page.wait_for_url("**/doc/area/E08000035")
