from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities of practice"

    def ready(self) -> None:
        from communities.signals import register_signal_handlers

        register_signal_handlers()
