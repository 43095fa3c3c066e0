from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hub.floor.bad_input import BadInput
from hub.services.health import health_report


@never_cache
@require_GET
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def about_data(request):
    return render(request, "hub/about_data.html")


def bad_request(request, exception=None):
    """The 400 answer: a page, or JSON under /api/; a ``BadInput`` says what was wrong."""
    message = exception.message if isinstance(exception, BadInput) else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or "Bad request."}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
