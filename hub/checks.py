"""Start-up checks that say, in one line, when Elasticsearch or the external SPARQL server cannot be reached."""

from django.conf import settings
from django.core.checks import Warning, register

from hub.floor.storage import public_documents_left
from hub.services.health import check_sparql_server
from search.health import check_search


def _unreachable(status: dict, message: str, check_id: str) -> list[Warning]:
    return [] if status["ok"] else [Warning(message.format(**status), id=check_id)]


@register("hub")
def elasticsearch_reachable(app_configs, **kwargs):
    if not settings.ELASTICSEARCH_URL:
        return []
    return _unreachable(
        check_search(),
        "Elasticsearch at {url} cannot be reached ({error}); "
        "search falls back to the database until it returns.",
        "hub.W001",
    )


@register("hub")
def sparql_server_reachable(app_configs, **kwargs):
    if not settings.SPARQL_ENDPOINT_URL:
        return []
    return _unreachable(
        check_sparql_server(),
        "{error}; /sparql answers 503 and publication waits until it returns.",
        "hub.W002",
    )


@register("hub")
def documents_outside_public_media(app_configs, **kwargs):
    left = public_documents_left()
    if not left:
        return []
    return [
        Warning(
            f"{len(left)} document files are still under MEDIA_ROOT/documents, which a web server may "
            "serve to anyone; run `manage.py secure_documents` to move them to PRIVATE_MEDIA_ROOT.",
            id="hub.W003",
        )
    ]
