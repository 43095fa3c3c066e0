from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The signed-in member's unread notification count for the header (counted only when shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from communities.discussions.services.notifications import unread_count

    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
