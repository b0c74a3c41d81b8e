"""Each administration's chefgruppe: its meetings and what from the seminars it put to use."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from programme.access import RoleGroup, scope_for
from programme.models import Administration, Programme


class ChefgroupMeetingQuerySet(models.QuerySet):
    def for_user(self, user):
        """HR and direktion read every administration's log; a fagchef their own."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.has(RoleGroup.HEAD_OF_DEPARTMENT):
            return self.filter(administration_id__in=scope.administration_ids)
        return self.none()


class ChefgroupMeeting(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="chefgroup_meetings"
    )
    held_on = models.DateField(_("dato"))
    topic = models.CharField(_("emne"), max_length=200)
    seminars = models.ManyToManyField(
        "seminars.Seminar",
        verbose_name=_("seminarer, vi brugte noget fra"),
        blank=True,
        related_name="chefgroup_meetings",
    )
    knowledge_used = models.TextField(
        _("viden og værktøjer fra seminarerne, vi brugte"), blank=True, default=""
    )
    follow_ups = models.TextField(_("opfølgning"), blank=True, default="")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)

    objects = ChefgroupMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("chefgruppemøde")
        verbose_name_plural = _("chefgruppemøder")
        ordering = ["administration", "-held_on", "-pk"]

    def __str__(self):
        return f"{self.administration}: {self.topic} ({self.held_on:%d-%m-%Y})"
