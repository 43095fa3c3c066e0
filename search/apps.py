from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from search.saved.subscribers import register_subscribers
        from search.signals import register_signal_handlers

        register_signal_handlers()
        register_subscribers()  # after the index's: new content is indexed before it is matched
