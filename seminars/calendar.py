"""The personal calendar feed and "Min kalender": make, rotate and revoke the address."""

import hashlib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from . import ical
from .models import CalendarFeedToken
from .models.calendar import hash_token, new_token

app_name = "calendar"
# The address is shown once, on the page after it was made; it waits in the session.
SHOWN_ONCE_KEY = "calendar_feed_token"
# A rendered feed is cached under a hash of its content, so a hit is never stale.
FEED_CACHE_SECONDS = 24 * 60 * 60
FEED_NAME = gettext_noop("Sammen om Rødovre")


class FeedError(Exception):
    pass


@transaction.atomic
def rotate_feed_token(*, user) -> str:
    """Revoke the user's address (if any) and make a new one; return the new token."""
    # Lock the user's row: two rotations at once make one new address each, in turn.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    CalendarFeedToken.objects.for_user(user).active().update(revoked_at=now)
    token = new_token()
    try:
        with transaction.atomic():
            CalendarFeedToken.objects.create(
                user=user, token_hash=hash_token(token), created_at=now
            )
    except IntegrityError as error:  # a token collision: 2^-256, but never a 500
        raise FeedError from error
    return token


def revoke_feed_token(*, user) -> int:
    """Revoke the user's address; return how many were active (0 or 1)."""
    return CalendarFeedToken.objects.for_user(user).active().update(revoked_at=timezone.now())


def feed_urls(request, token: str) -> dict[str, str]:
    https = request.build_absolute_uri(reverse("calendar:feed", kwargs={"token": token}))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@require_GET
def my_calendar(request):
    """Min kalender: the subscription address, how to use it in Outlook, rotate and revoke."""
    token = request.session.pop(SHOWN_ONCE_KEY, None)
    active = CalendarFeedToken.objects.for_user(request.user).active().first()
    if active is None:
        token = None
    return render(
        request,
        "seminars/my_calendar.html",
        {
            "active": active,
            "urls": feed_urls(request, token) if token else None,
            "active_nav": "calendar",
        },
    )


@require_POST
def my_calendar_rotate(request):
    had_one = CalendarFeedToken.objects.for_user(request.user).active().exists()
    try:
        token = rotate_feed_token(user=request.user)
    except FeedError:
        messages.error(request, _("Adressen kunne ikke laves. Prøv igen."))
        return redirect("calendar:mine")
    request.session[SHOWN_ONCE_KEY] = token
    if had_one:
        messages.success(
            request, _("Du har fået en ny kalenderadresse. Den gamle virker ikke længere.")
        )
    else:
        messages.success(request, _("Din kalenderadresse er lavet."))
    return redirect("calendar:mine")


@require_POST
def my_calendar_revoke(request):
    request.session.pop(SHOWN_ONCE_KEY, None)
    if revoke_feed_token(user=request.user):
        messages.success(
            request,
            _(
                "Kalenderadressen er tilbagekaldt. Kalendere, der abonnerer på den, "
                "får ikke flere opdateringer."
            ),
        )
    else:
        messages.info(request, _("Du havde ingen aktiv kalenderadresse."))
    return redirect("calendar:mine")


def feed_cache_key(meetings, *, name: str) -> tuple[str, str]:
    """Return the cache key of a feed with these meetings, and its content hash."""
    digest = hashlib.sha256(repr((str(name), meetings)).encode()).hexdigest()
    return f"calendar:feed:{digest}", digest


def _feed_body(meetings, *, name: str) -> tuple[bytes, str]:
    """Return the feed and its content hash; rendering 60 events costs ~10 ms, a hit ~0.3."""
    key, digest = feed_cache_key(meetings, name=name)
    body = cache.get(key)
    if body is None:
        body = ical.feed(meetings, name=name)
        cache.set(key, body, FEED_CACHE_SECONDS)
    return body, digest


@login_not_required
@require_GET
def feed(request, token):
    """The user's meetings as iCalendar; the token in the address is the only credential."""
    found = (
        CalendarFeedToken.objects.active()
        .select_related("user")
        .filter(token_hash=hash_token(token), user__is_active=True)
        .first()
    )
    if found is None:
        raise Http404
    body, digest = _feed_body(ical.meetings_for(found.user), name=_(FEED_NAME))
    etag = f'"{digest[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
        response["Content-Disposition"] = 'inline; filename="sammen-om-roedovre.ics"'
    response["ETag"] = etag
    # Personal: no shared cache may keep it, and no search engine index the address.
    response["Cache-Control"] = "private, max-age=0, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("min-kalender/", my_calendar, name="mine"),
    path("min-kalender/ny-adresse/", my_calendar_rotate, name="rotate"),
    path("min-kalender/tilbagekald/", my_calendar_revoke, name="revoke"),
    path("kalender/<str:token>.ics", feed, name="feed"),
]
