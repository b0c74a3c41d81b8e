"""iCalendar (RFC 5545/5546) for the programme's meetings: e-mail invitations and feeds.

A meeting is described by a `Meeting`; the models that hold meetings (seminars, coaching
sessions) turn themselves into one. Its UID never changes. Its SEQUENCE grows each time
the meeting moves, so a calendar that already holds the meeting replaces it; a cancelled
meeting goes out with METHOD:CANCEL under the same UID.

Personal feeds gather meetings from every registered source: each app that has meetings
calls `register_feed_source()` from its `ready()` with a function that returns a user's
meetings in a constant number of queries.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import icalendar
from django.conf import settings
from django.utils import timezone

PRODID = "-//Rødovre Kommune//Sammen om Rødovre//DA"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Meeting:
    """One meeting as a calendar sees it. Times are aware datetimes."""

    uid: str  # stable for the meeting's whole life, e.g. "seminar-12@udvikling.rk.dk"
    sequence: int  # grows by one each time the meeting moves
    start: datetime.datetime
    end: datetime.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False
    organizer: tuple[str, str] | None = None  # (name, e-mail)
    attendees: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (name, e-mail)


_PK_SENTINEL = 2_147_483_647


def absolute_url_maker(viewname: str) -> Callable[[int], str]:
    """Return pk -> the absolute address of that object's page, reversing the URL once.

    A feed of 60 meetings would otherwise reverse 60 times, a third of its time.
    """
    from django.urls import reverse

    pattern = settings.SITE_URL.rstrip("/") + reverse(viewname, kwargs={"pk": _PK_SENTINEL})
    head, _sentinel, tail = pattern.partition(str(_PK_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"


def uid_for(kind: str, pk: int) -> str:
    """Return a stable UID for an object: the same object always gets the same one."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"{kind}-{pk}@{host or 'localhost'}"


def _event(meeting: Meeting, *, stamp: datetime.datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    # UTC times: every client converts them, and no VTIMEZONE is needed.
    event.add("dtstart", meeting.start.astimezone(datetime.UTC))
    event.add("dtend", meeting.end.astimezone(datetime.UTC))
    event.add("summary", meeting.summary)
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.description:
        event.add("description", meeting.description)
    if meeting.url:
        event.add("url", meeting.url)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    if meeting.organizer:
        name, email = meeting.organizer
        organizer = icalendar.vCalAddress(f"mailto:{email}")
        organizer.params["cn"] = icalendar.vText(name)
        event.add("organizer", organizer)
    for name, email in meeting.attendees:
        attendee = icalendar.vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = icalendar.vText(name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    return event


def _calendar(method: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def invitation(meeting: Meeting) -> bytes:
    """Return the .ics an e-mail carries: REQUEST, or CANCEL for a cancelled meeting."""
    calendar = _calendar("CANCEL" if meeting.cancelled else "REQUEST")
    calendar.add_component(_event(meeting, stamp=timezone.now()))
    return calendar.to_ical()


def attachment(meeting: Meeting) -> tuple[str, bytes, str]:
    """Return the invitation as an e-mail attachment (file name, content, MIME type)."""
    method = "CANCEL" if meeting.cancelled else "REQUEST"
    return "invitation.ics", invitation(meeting), f"text/calendar; method={method}; charset=utf-8"


def feed(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """Return a subscribable calendar (no METHOD) holding the given meetings."""
    calendar = _calendar()
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Clients poll a feed; ask for a refresh every hour.
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"value": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp=stamp))
    return calendar.to_ical()


# --- Sources of a person's meetings ----------------------------------------------------

FeedSource = Callable[..., Iterable[Meeting]]
_feed_sources: list[FeedSource] = []


def register_feed_source(source: FeedSource) -> FeedSource:
    """Add a function `source(user) -> Iterable[Meeting]` to every personal feed."""
    if source not in _feed_sources:
        _feed_sources.append(source)
    return source


def meetings_for(user) -> list[Meeting]:
    """Return the user's meetings from every registered source, earliest first."""
    meetings = [meeting for source in _feed_sources for meeting in source(user)]
    return sorted(meetings, key=lambda meeting: (meeting.start, meeting.uid))
