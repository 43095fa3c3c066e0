"""Start-up checks that say, in one line, when Elasticsearch or the external SPARQL server cannot be reached."""

from django.conf import settings
from django.core.checks import Warning, register

from hub.services.health import check_search, check_sparql_server


@register("hub")
def elasticsearch_reachable(app_configs, **kwargs):
    if not settings.ELASTICSEARCH_URL:
        return []
    status = check_search()
    if status["ok"]:
        return []
    return [
        Warning(
            f"Elasticsearch at {status['url']} cannot be reached ({status['error']}); "
            "search falls back to the database until it returns.",
            id="hub.W001",
        )
    ]


@register("hub")
def sparql_server_reachable(app_configs, **kwargs):
    if not settings.SPARQL_ENDPOINT_URL:
        return []
    status = check_sparql_server()
    if status["ok"]:
        return []
    return [
        Warning(
            f"{status['error']}; /sparql answers 503 and publication waits until it returns.",
            id="hub.W002",
        )
    ]
