from django.conf import settings


def limits(request):
    """Length limits, so templates and the character counter agree with validation."""
    return {"takeaway_limit": settings.TAKEAWAY_MAX_LENGTH}
