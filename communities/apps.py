from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities of practice"

    def ready(self) -> None:
        from communities.data_alerts.panels import register_panels as register_data_alert_panels
        from communities.data_alerts.subscribers import (
            register_subscribers as register_data_alert_subscribers,
        )
        from communities.discussions import panels as discussion_panels
        from communities.discussions.subscribers import register_subscribers
        from communities.good_practice.linked_data import register_linked_data
        from communities.good_practice.panels import (
            register_panels as register_good_practice_panels,
        )
        from communities.good_practice.subscribers import (
            register_subscribers as register_good_practice_subscribers,
        )
        from communities.signal_handlers import register_signal_handlers
        from linkeddata.panels import add_area_panel, add_measure_panel

        register_signal_handlers()
        register_subscribers()
        register_good_practice_subscribers()
        register_linked_data()
        register_data_alert_subscribers()
        register_data_alert_panels()
        register_good_practice_panels()
        add_area_panel("discussions", discussion_panels.area_discussions, discussion_panels.ORDER)
        add_measure_panel(
            "discussions", discussion_panels.measure_discussions, discussion_panels.ORDER
        )
