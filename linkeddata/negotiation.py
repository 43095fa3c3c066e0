"""Content negotiation for the linked-data documents: by extension, else by Accept (Django's parser)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

FORMATS = {  # extension -> media type, in order of preference when the client has none
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
    "csv": "text/csv",
}
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
BY_MEDIA_TYPE = {media_type: extension for extension, media_type in FORMATS.items()}


class NotAcceptable(Exception):
    def __init__(self, offered: list[str]):
        self.offered = offered


def choose_format(request: HttpRequest, extension: str | None, offered: list[str]) -> str:
    """The extension of the format to answer with; raises NotAcceptable listing what is offered."""
    if extension:
        if extension not in offered:
            raise NotAcceptable(offered)
        return extension
    preferred = request.get_preferred_type([FORMATS[ext] for ext in offered])
    if preferred is None:
        raise NotAcceptable(offered)
    return BY_MEDIA_TYPE[preferred]


def not_acceptable(offered: list[str]) -> HttpResponse:
    lines = [f"{FORMATS[ext]} (.{ext})" for ext in offered]
    response = HttpResponse(
        "None of the formats you accept is offered here. Offered formats:\n"
        + "\n".join(lines)
        + "\n",
        status=406,
        content_type="text/plain; charset=utf-8",
    )
    response["Vary"] = "Accept"
    return response


def public_data_headers(
    response: HttpResponse, document_url: str, offered: list[str], negotiated: bool
) -> HttpResponse:
    """Vary, Link alternates and CORS on a public linked-data response."""
    response["Access-Control-Allow-Origin"] = "*"
    if negotiated:
        response["Vary"] = "Accept"
    response["Link"] = ", ".join(
        f'<{document_url}.{ext}>; rel="alternate"; type="{FORMATS[ext]}"' for ext in offered
    )
    return response
