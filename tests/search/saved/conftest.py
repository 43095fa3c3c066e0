"""Saved searches are delivered with whichever search the hub runs: both backends, for real."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["elasticsearch", "database"])
def backend(request, settings, home_page):
    """The search backend of the test: the real Elasticsearch node, or the database search."""
    if request.param == "elasticsearch":
        request.getfixturevalue("search_index")
    else:
        settings.ELASTICSEARCH_URL = None
    return request.param
