from django.apps import AppConfig


class FloorConfig(AppConfig):
    """The floor's own tables: the email outbox and the task workers' heartbeats."""

    name = "hub.floor"
    label = "floor"
    verbose_name = "Background work"

    def ready(self) -> None:
        from hub.floor.pagecache import register_signal_handlers

        register_signal_handlers()
