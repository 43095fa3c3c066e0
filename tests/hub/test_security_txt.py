"""/.well-known/security.txt tells a researcher where to report a vulnerability (RFC 9116)."""

from datetime import datetime, timedelta

from django.utils import timezone


def _fields(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines() if line)


def test_security_txt_names_the_contact_and_an_expiry_within_a_year(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@hub.example.gov.uk"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = _fields(response.content.decode())
    assert fields["Contact"] == "mailto:security@hub.example.gov.uk"
    expires = datetime.fromisoformat(fields["Expires"])
    assert timezone.now() < expires < timezone.now() + timedelta(days=365)
    assert fields["Canonical"].endswith("/.well-known/security.txt")


def test_without_a_contact_setting_the_hub_s_sender_address_is_the_contact(client, settings):
    settings.SECURITY_CONTACT = ""
    settings.DEFAULT_FROM_EMAIL = "Knowledge Hub <hub@hub.example.gov.uk>"
    fields = _fields(client.get("/.well-known/security.txt").content.decode())
    assert fields["Contact"] == "mailto:hub@hub.example.gov.uk"
