"""Models of the seminars app, split by subject; import them from here."""

from .calendar import CalendarFeedToken

__all__ = ["CalendarFeedToken"]
