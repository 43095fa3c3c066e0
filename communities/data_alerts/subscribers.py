"""Registered once in ``CommunitiesConfig.ready()``: imports' changes and the email unsubscribe."""

from __future__ import annotations


def register_subscribers() -> None:
    from communities.alerts import on_unsubscribe
    from communities.data_alerts.services import record_release, unsubscribe
    from linkeddata.services.publish import on_figures_changed

    on_figures_changed("communities.data_alerts", record_release)
    on_unsubscribe("follow", unsubscribe)
