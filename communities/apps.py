from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities of practice"

    def ready(self) -> None:
        from communities.discussions import panels as discussion_panels
        from communities.discussions.subscribers import register_subscribers
        from communities.good_practice.subscribers import (
            register_subscribers as register_good_practice_subscribers,
        )
        from communities.signal_handlers import register_signal_handlers
        from linkeddata.panels import add_area_panel, add_measure_panel

        register_signal_handlers()
        register_subscribers()
        register_good_practice_subscribers()
        add_area_panel("discussions", discussion_panels.area_discussions, discussion_panels.ORDER)
        add_measure_panel(
            "discussions", discussion_panels.measure_discussions, discussion_panels.ORDER
        )
