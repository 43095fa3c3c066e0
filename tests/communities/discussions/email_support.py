"""What the email tests share: an alert kind a member can switch off, registered for one test."""

from dataclasses import dataclass, field

import pytest

from communities import alerts


@dataclass
class AlertForTests:
    """Alerts ``"test-alert:<id>"``; ``switched_off`` holds the (member id, alert id) pairs."""

    kind: str = "test-alert"
    switched_off: set[tuple[int, str]] = field(default_factory=set)

    def name(self, alert_id: int) -> str:
        return f"{self.kind}:{alert_id}"

    def unsubscribe(self, user, rest: str) -> bool:
        if (user.pk, rest) in self.switched_off:
            return False
        self.switched_off.add((user.pk, rest))
        return True


@pytest.fixture(name="test_alert")
def _test_alert(monkeypatch) -> AlertForTests:
    """An alert kind known to the hub for this test only, as saved searches and follows register
    theirs at start-up."""
    alert = AlertForTests()
    monkeypatch.setitem(alerts._handlers, alert.kind, alert.unsubscribe)
    return alert
