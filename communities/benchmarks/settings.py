"""Settings of the pages benchmark: the hub's own, plus the baseline page's URL (never in production)."""

from hub.settings.base import *  # noqa: F403

ROOT_URLCONF = "communities.benchmarks.urls"

# Static files are served from the source tree (no collectstatic, which takes minutes): the benchmark
# loads pages, not their CSS, and a static file's URL costs the same either way.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
