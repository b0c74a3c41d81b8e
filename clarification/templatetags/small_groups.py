"""Print counts of people so that small groups cannot be singled out (product.md)."""

from functools import cache

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programme.access import SMALL_GROUP_LIMIT

from ..coverage import shown

register = template.Library()


@register.filter
def people(count: int | None) -> str:
    """Render a count of people, or "< 5" when it is below the small-group limit or None.

    The number itself never reaches the page below the limit, not even as hidden text.
    """
    count = shown(count)
    if count is None:
        return _fewer_than_the_limit(get_language())
    # Danish thousands separators; most counts are small and skip the locale machinery.
    return str(count) if count < 1000 else intcomma(count)


@cache
def _fewer_than_the_limit(language: str) -> str:
    # Keyed by the active language, which gettext below translates into.
    return format_html(
        '<span aria-hidden="true">&lt; {limit}</span><span class="visually-hidden">{text}</span>',
        limit=SMALL_GROUP_LIMIT,
        text=_("færre end %(limit)s") % {"limit": SMALL_GROUP_LIMIT},
    )
