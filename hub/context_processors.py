from django.conf import settings


def site(request):
    # ``hub_name`` too: Django's sign-in and password views put their Site's name in ``site_name``.
    return {"site_name": settings.SITE_NAME, "hub_name": settings.SITE_NAME}
