from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Knowledge hub"

    def ready(self) -> None:
        from hub import checks  # noqa: F401 - registers the service checks
        from hub.floor import numbers  # noqa: F401 - registers the <id:…> path converter
