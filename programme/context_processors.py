"""Template context shared by every page: the navigation the signed-in role may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clarification.coverage import may_follow
from seminars.services import is_forum_member

from .access import RoleGroup, scope_for

ROLE_LABELS = {
    RoleGroup.HR: _("HR (Personale & Udvikling)"),
    RoleGroup.DIRECTION: _("Direktion"),
    RoleGroup.HEAD_OF_DEPARTMENT: _("Fagchef"),
    RoleGroup.LEADER: _("Leder"),
    RoleGroup.EMPLOYEE: _("Medarbejder"),
    RoleGroup.COACH: _("Coach"),
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    items = [
        (reverse("programme:home"), _("Mit overblik"), "home"),
        (reverse("programme:programme-current"), _("Forløbet"), "programme"),
    ]
    if may_follow(scope):
        items.append((reverse("clarification:overview"), _("Afklaringsfasen"), "clarification"))
    if scope.led_workplace_ids:
        items.append(
            (
                reverse("clarification:workplaces"),
                _("Mine arbejdspladser (trin 2)"),
                "clarification-workplaces",
            )
        )
    if scope.is_hr:
        items.append((reverse("clarification:processing"), _("Bearbejdning"), "processing"))
    if scope.everything:
        items.append((reverse("clarification:dashboard"), _("Direktionens overblik"), "dashboard"))
        items.append((reverse("clarification:decisions"), _("Beslutninger"), "decisions"))
    elif scope.has(RoleGroup.HEAD_OF_DEPARTMENT) and scope.administration_ids:
        items.append((reverse("clarification:matrix"), _("Temaer på tværs"), "matrix"))
    if is_forum_member(scope):
        items.append((reverse("seminars:list"), _("Seminarer"), "seminars"))
    if is_forum_member(scope) or scope.has(RoleGroup.COACH):
        items.append((reverse("coaching:mine"), _("Coaching"), "coaching"))
    if scope.everything or scope.administration_ids or scope.led_workplace_ids:
        items.append((reverse("programme:workplace-list"), _("Organisation"), "organisation"))
    elif scope.workplace_ids:
        items.append((reverse("programme:my-workplace"), _("Min arbejdsplads"), "organisation"))
    if scope.everything or scope.administration_ids:
        items.append((reverse("programme:cascade"), _("Kaskade"), "cascade"))
    items.append((reverse("calendar:mine"), _("Min kalender"), "calendar"))
    if user.is_staff and scope.is_hr:
        items.append((reverse("admin:index"), _("Administration"), "admin"))
    return {
        "nav_items": items,
        "role_labels": [label for group, label in ROLE_LABELS.items() if scope.has(group)],
    }
