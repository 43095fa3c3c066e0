"""Settings of the pages benchmark: the hub's own, plus the baseline page's URL (never in production)."""

from hub.settings.base import *  # noqa: F403

ROOT_URLCONF = "communities.benchmarks.urls"
