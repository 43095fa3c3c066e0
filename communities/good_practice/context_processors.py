from django.utils.functional import SimpleLazyObject


def waiting(request):
    """What waits for the signed-in person (``queries.waiting_for``), counted only when the header
    shows it; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from communities.good_practice.queries import waiting_for

    return {"waiting": SimpleLazyObject(lambda: waiting_for(user))}
