"""A start-up check that says, in one line, when Elasticsearch cannot be reached."""

from django.conf import settings
from django.core.checks import Warning, register

from hub.services.health import check_search


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
