from django.apps import AppConfig

SEARCH_LOG = "search-log"


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hub.floor.pagecache import on_copy_served
        from search.saved.subscribers import register_subscribers
        from search.services.analytics import do_log_kept_copy
        from search.signals import register_signal_handlers

        register_signal_handlers()
        register_subscribers()  # after the index's: new content is indexed before it is matched
        on_copy_served(SEARCH_LOG, do_log_kept_copy)  # a visitor's kept results page logs each copy
