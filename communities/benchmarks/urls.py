"""The hub's URLs plus the benchmark's baseline: the site's base template (header, navigation, footer,
the signed-in header for a signed-in visitor) around an empty page, with no content queries."""

from django.urls import path
from django.views.generic import TemplateView

from hub.urls import *  # noqa: F403
from hub.urls import urlpatterns as hub_urlpatterns

BASELINE_PATH = "/benchmark/baseline/"

urlpatterns = [
    path(
        BASELINE_PATH.strip("/") + "/",
        TemplateView.as_view(template_name="communities/benchmarks/baseline.html"),
        name="benchmark-baseline",
    ),
    *hub_urlpatterns,
]
