"""The communities app's signal handlers, connected once from ``CommunitiesConfig.ready()``."""

from __future__ import annotations


def register_signal_handlers() -> None:
    from communities.signals_good_practice import register_good_practice_signal_handlers

    register_good_practice_signal_handlers()
