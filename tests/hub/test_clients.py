"""The client address that per-client limits count."""

from django.test import RequestFactory

from hub.floor.clients import client_address


def test_without_a_proxy_the_socket_address_counts_and_forwarded_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert client_address(request) == "203.0.113.7"


def test_behind_one_proxy_the_entry_it_appended_counts_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"
    )
    assert client_address(request) == "203.0.113.7"


def test_a_malformed_address_is_counted_as_unknown(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")
    assert client_address(request) == "unknown"
