from django.apps import AppConfig


class LinkedDataConfig(AppConfig):
    name = "linkeddata"
    verbose_name = "Benchmarking data"

    def ready(self) -> None:
        from hub.floor.pagecache import bump
        from linkeddata.services.publish import on_publication

        # The area, measure and compare pages kept for visitors change with the figures.
        on_publication("hub-page-cache", lambda datasets, reference: bump())
