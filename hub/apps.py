from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Knowledge hub"

    def ready(self) -> None:
        from hub import checks  # noqa: F401 - registers the service checks
        from hub.floor import numbers  # noqa: F401 - registers the <id:…> path converter
        from hub.related import register_subscriber

        register_subscriber()  # related content, worked out when a page changes
