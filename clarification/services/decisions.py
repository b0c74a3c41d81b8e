"""Step 4: HR drafts decisions, direktionen takes them at a meeting and publishes them.

Who does what follows product.md's policy: HR drafts and proposes; only a member of
direktionen adopts, rejects or defers (at a dated meeting) and publishes. Every change of
state is kept as a DecisionEvent. Decisions are not gated by step 4's state: direktionen
decides when it meets; HR signs step 4 off per administration on the step pages.

Publishing creates a Publication and, through the reminder mechanism, one e-mail to the
leaders of each workplace whose input a published decision answers (recipient key per
workplace and leader, so a second run sends nothing twice).
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.access import scope_for
from programme.models import Programme, ReminderRule
from programme.reminders import send_rule_now

from ..models import Decision, DecisionEvent, DecisionState, DirektionMeeting, Publication

DECIDED = (DecisionState.ADOPTED, DecisionState.REJECTED, DecisionState.DEFERRED)


class DecisionError(Exception):
    """A change the decision's state does not allow; the message is Danish."""


def may_draft(user) -> bool:
    return scope_for(user).is_hr


def may_decide(user) -> bool:
    return scope_for(user).is_direction


def _event(decision, *, from_state, by, meeting=None, comment=""):
    DecisionEvent.objects.create(
        decision=decision,
        from_state=from_state,
        to_state=decision.state,
        meeting=meeting,
        actor=by,
        comment=comment,
    )


@transaction.atomic
def propose(*, decision: Decision, by) -> Decision:
    """HR puts a draft (or a deferred decision) before direktionen."""
    if not may_draft(by):
        raise PermissionDenied
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.state not in (DecisionState.DRAFT, DecisionState.DEFERRED):
        raise DecisionError(_("Kun kladder og udsatte beslutninger kan indstilles."))
    before = decision.state
    decision.state = DecisionState.PROPOSED
    decision.save(update_fields=["state", "updated_at"])
    _event(decision, from_state=before, by=by)
    return decision


def meeting_on(programme: Programme, day: datetime.date) -> DirektionMeeting:
    meeting = DirektionMeeting.objects.filter(programme=programme, held_on=day).first()
    return meeting or DirektionMeeting.objects.create(programme=programme, held_on=day)


@transaction.atomic
def decide(
    *, decision: Decision, to_state: str, held_on: datetime.date, by, comment=""
) -> Decision:
    """Direktionen adopts, rejects or defers a proposed decision at the meeting of that day."""
    if not may_decide(by):
        raise PermissionDenied
    if to_state not in DECIDED:
        raise DecisionError(_("Vælg vedtag, afvis eller udsæt."))
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.state != DecisionState.PROPOSED:
        raise DecisionError(_("Beslutningen er ikke indstillet til direktionen."))
    meeting = meeting_on(decision.programme, held_on)
    before = decision.state
    decision.state = to_state
    decision.meeting = meeting
    decision.decided_at = timezone.now()
    decision.decided_by = by
    decision.save(update_fields=["state", "meeting", "decided_at", "decided_by", "updated_at"])
    _event(decision, from_state=before, by=by, meeting=meeting, comment=comment)
    return decision


@transaction.atomic
def publish(*, programme: Programme, decisions, by, message: str = "") -> Publication:
    """Publish adopted decisions and send "I sagde — vi gør" to the workplaces they answer."""
    from ..feedback import FEEDBACK_AUDIENCE, feedback_rule_defaults

    if not may_decide(by):
        raise PermissionDenied
    chosen = list(
        Decision.objects.select_for_update()
        .filter(pk__in=[d.pk for d in decisions], programme=programme)
        .order_by("pk")
    )
    if not chosen:
        raise DecisionError(_("Vælg mindst én vedtaget beslutning."))
    if any(d.state != DecisionState.ADOPTED for d in chosen):
        raise DecisionError(_("Kun vedtagne beslutninger kan offentliggøres."))
    now = timezone.now()
    publication = Publication.objects.create(
        programme=programme, published_at=now, published_by=by, message=message
    )
    publication.decisions.set(chosen)
    Decision.objects.filter(pk__in=[d.pk for d in chosen], published_at__isnull=True).update(
        published_at=now
    )
    local = timezone.localtime(now)
    rule = ReminderRule.objects.create(
        name=_("I sagde — vi gør: offentliggørelse %(time)s")
        % {"time": local.strftime("%d-%m-%Y %H:%M")},
        audience=FEEDBACK_AUDIENCE,
        anchor_type=ContentType.objects.get_for_model(Publication),
        anchor_id=publication.pk,
        offset_days=0,
        time_of_day=local.time().replace(second=0, microsecond=0),
        **feedback_rule_defaults(),
    )
    transaction.on_commit(lambda: send_rule_now(rule=rule, by=by))
    return publication
