"""Pages of the clarification phase: step 2, a workplace's activities, input and delivery.

Who may do what (product.md): a leader registers for the workplaces they lead while step 2
is open in the workplace's administration; the fagchef reads their administration, HR and
direktionen read everything; staff and coaches have no step-2 pages (403). A workplace
outside the reader's scope answers 404.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from programme.access import SMALL_GROUP_LIMIT, Scope, scope_for
from programme.models import Administration, Programme, Workplace

from .. import feedback
from ..forms.submissions import (
    EMPTY_ITEMS,
    MAX_EMPTY_ITEMS,
    ActivityForm,
    AttachmentForm,
    input_formset_class,
    make_read_only,
)
from ..models import (
    Activity,
    Attachment,
    ClarificationStep,
    Input,
    InputSource,
    StepNumber,
    StepState,
    StepStatus,
    Submission,
    SubmissionStatus,
)
from ..services.steps import StepClosed
from ..services.submissions import (
    INPUT_FIELDS,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_INPUT,
    AttachmentRejected,
    InputItem,
    NothingToDeliver,
    SubmissionError,
    add_attachment,
    delete_activity,
    delete_attachment,
    deliver_submission,
    save_activity,
    save_inputs,
)
from . import step_closed_response

WORKPLACES_PER_PAGE = 50
INPUT_PREFIX = "input"
# The list's filter on delivery, by its Danish value in the address.
DELIVERED, NOT_DELIVERED = "afleveret", "ikke-afleveret"
# The navigation entry these pages belong to (programme.context_processors).
ACTIVE_NAV = "clarification-workplaces"


# --- Access and the step ----------------------------------------------------------------


def step_two_scope(user) -> Scope:
    """Return the user's scope, or refuse (403) a role that has no step-2 pages."""
    scope = scope_for(user)
    if not (scope.everything or scope.administration_ids or scope.led_workplace_ids):
        raise PermissionDenied
    return scope


def step_two_workplaces(user):
    """The workplaces whose step-2 page the user may open (not a staff member's own)."""
    scope = scope_for(user)
    workplaces = Workplace.objects.for_user(user)
    if scope.everything:
        return workplaces
    return workplaces.filter(
        Q(administration_id__in=scope.administration_ids) | Q(pk__in=scope.led_workplace_ids)
    )


def current_programme(user) -> Programme:
    programme = Programme.objects.for_user(user).current()
    if programme is None:
        raise Http404
    return programme


@dataclass(frozen=True)
class StepTwo:
    """Step 2 of a programme and where it stands in one administration."""

    step: ClarificationStep | None
    state: StepState | None

    @property
    def is_open(self) -> bool:
        return self.state is not None and self.state.is_open

    @property
    def deadline(self):
        return self.step.deadline if self.step else None

    @property
    def status(self) -> str:
        return self.state.status if self.state else StepStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return self.state.get_status_display() if self.state else StepStatus.NOT_STARTED.label

    def closed_error(self) -> StepClosed:
        return StepClosed(self.state, StepNumber.EXECUTION)


def step_two(programme: Programme, administration: Administration) -> StepTwo:
    state = (
        StepState.objects.select_related("step", "administration")
        .filter(step__programme=programme, step__number=StepNumber.EXECUTION)
        .filter(administration=administration)
        .first()
    )
    if state is not None:
        return StepTwo(state.step, state)
    step = ClarificationStep.objects.filter(
        programme=programme, number=StepNumber.EXECUTION
    ).first()
    return StepTwo(step, None)


@dataclass(frozen=True)
class WorkplacePage:
    """What every step-2 page of one workplace starts from."""

    scope: Scope
    programme: Programme
    workplace: Workplace
    step: StepTwo

    @property
    def is_leader(self) -> bool:
        return self.workplace.pk in self.scope.led_workplace_ids

    @property
    def can_edit(self) -> bool:
        return self.is_leader and self.step.is_open

    @property
    def url(self) -> str:
        return reverse("clarification:workplace", kwargs={"code": self.workplace.code})

    def context(self, **extra) -> dict:
        return {
            "workplace": self.workplace,
            "programme": self.programme,
            "step": self.step,
            "is_leader": self.is_leader,
            "can_edit": self.can_edit,
            "workplace_url": self.url,
            "active_nav": ACTIVE_NAV,
            **extra,
        }


def workplace_page(request, code: str, *, edit: bool = False) -> WorkplacePage:
    """Fetch the workplace within the user's scope; `edit` pages are for its leaders only."""
    scope = step_two_scope(request.user)
    workplace = get_object_or_404(
        step_two_workplaces(request.user).select_related("administration"), code=code
    )
    if edit and workplace.pk not in scope.led_workplace_ids:
        # The fagchef, HR and direktionen read the workplace; only its leader writes.
        raise PermissionDenied
    programme = current_programme(request.user)
    return WorkplacePage(scope, programme, workplace, step_two(programme, workplace.administration))


def _submission(request, page: WorkplacePage) -> Submission | None:
    return (
        Submission.objects.for_user(request.user)
        .filter(programme=page.programme, workplace=page.workplace)
        .select_related("delivered_by")
        .first()
    )


def _leader_inputs(request, page: WorkplacePage):
    return (
        Input.objects.for_user(request.user)
        .filter(programme=page.programme, workplace=page.workplace, source=InputSource.LEADER)
        .order_by("pk")
    )


# --- The list and the workplace page ----------------------------------------------------


def workplace_list(request):
    """The workplaces the user may open for step 2, with their delivery and step state."""
    step_two_scope(request.user)
    programme = current_programme(request.user)
    submissions = Submission.objects.filter(programme=programme, workplace=OuterRef("pk"))
    activities = (
        Activity.objects.filter(
            submission__programme=programme, submission__workplace=OuterRef("pk")
        )
        .order_by()
        .values("submission__workplace")
        .annotate(n=Count("pk"))
        .values("n")
    )
    inputs = (
        Input.objects.filter(
            programme=programme, workplace=OuterRef("pk"), source=InputSource.LEADER
        )
        .order_by()
        .values("workplace")
        .annotate(n=Count("pk"))
        .values("n")
    )
    workplaces = (
        step_two_workplaces(request.user)
        .active()
        .select_related("administration")
        .annotate(
            submission_status=Subquery(submissions.values("status")[:1]),
            delivered_on=Subquery(submissions.values("delivered_at")[:1]),
            n_activities=Coalesce(Subquery(activities, output_field=IntegerField()), Value(0)),
            n_inputs=Coalesce(Subquery(inputs, output_field=IntegerField()), Value(0)),
        )
        .order_by("administration__name", "name")
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        workplaces = workplaces.filter(Q(name__icontains=query) | Q(code__iexact=query))
    administration_id = request.GET.get("forvaltning", "")
    if administration_id.isdigit():
        workplaces = workplaces.filter(administration_id=int(administration_id))
    delivery = request.GET.get("status", "")
    if delivery == DELIVERED:
        workplaces = workplaces.filter(submission_status=SubmissionStatus.DELIVERED)
    elif delivery == NOT_DELIVERED:
        workplaces = workplaces.filter(
            Q(submission_status__isnull=True) | ~Q(submission_status=SubmissionStatus.DELIVERED)
        )
    else:
        delivery = ""
    page = Paginator(workplaces, WORKPLACES_PER_PAGE).get_page(request.GET.get("side"))

    step = ClarificationStep.objects.filter(
        programme=programme, number=StepNumber.EXECUTION
    ).first()
    states = {}
    if step is not None:
        states = {state.administration_id: state for state in step.states.all()}
    for workplace in page:
        workplace.step_two = StepTwo(step, states.get(workplace.administration_id))
    administrations = list(Administration.objects.for_user(request.user).active())
    return render(
        request,
        "clarification/workplace_list.html",
        {
            "page": page,
            "programme": programme,
            "step": step,
            "query": query,
            "administrations": administrations,
            "administration_id": administration_id,
            "delivery": delivery,
            "active_nav": ACTIVE_NAV,
            "delivery_choices": [
                (DELIVERED, _("Afleveret")),
                (NOT_DELIVERED, _("Ikke afleveret")),
            ],
        },
    )


def _poster_url(page: WorkplacePage) -> str | None:
    # The anonymous link and its poster are another page's; link them once they exist.
    if not (page.is_leader or page.scope.is_hr):
        return None
    try:
        return reverse("clarification:poster", kwargs={"code": page.workplace.code})
    except NoReverseMatch:
        return None


def _feedback_url(page: WorkplacePage) -> str | None:
    """Link "I sagde — vi gør" once a published decision answers the workplace (one query).

    Everyone who may open this page may open that one (the same scope).
    """
    if page.workplace.pk not in feedback.answered_workplace_ids(
        page.programme, [page.workplace.pk]
    ):
        return None
    return reverse("clarification:feedback", kwargs={"code": page.workplace.code})


def workplace_detail(request, code):
    """A workplace's step 2: the step, its activities, its input and the delivery."""
    page = workplace_page(request, code)
    submission = _submission(request, page)
    activities, inputs = [], []
    if submission is not None:
        activities = list(
            submission.activities.select_related("med_committee").order_by("held_on", "pk")
        )
        inputs = list(_leader_inputs(request, page).prefetch_related("attachments"))
    anonymous = (
        Input.objects.for_user(request.user)
        .filter(programme=page.programme, workplace=page.workplace)
        .anonymous()
        .count()
    )
    return render(
        request,
        "clarification/workplace_detail.html",
        page.context(
            submission=submission,
            activities=activities,
            inputs=inputs,
            # Fewer than five is shown as "< 5" (product.md: small groups are suppressed).
            anonymous_count=anonymous if anonymous >= SMALL_GROUP_LIMIT else None,
            small_group_limit=SMALL_GROUP_LIMIT,
            poster_url=_poster_url(page),
            max_attachments=MAX_ATTACHMENTS_PER_INPUT,
            feedback_url=_feedback_url(page),
        ),
    )


@require_POST
def deliver(request, code):
    """Mark the workplace's input as delivered (POST only; delivering twice is harmless)."""
    page = workplace_page(request, code, edit=True)
    already = Submission.objects.filter(
        programme=page.programme, workplace=page.workplace, status=SubmissionStatus.DELIVERED
    ).exists()
    try:
        deliver_submission(programme=page.programme, workplace=page.workplace, by=request.user)
    except StepClosed as error:
        return step_closed_response(request, error, back_url=page.url)
    except NothingToDeliver as error:
        messages.error(request, str(error))
        return redirect(page.url)
    if already:
        messages.info(request, _("Arbejdspladsen havde allerede afleveret."))
    else:
        messages.success(
            request,
            _("Input fra %(workplace)s er afleveret. Tak! Du kan rette, indtil trinnet lukker.")
            % {"workplace": page.workplace.name},
        )
    return redirect(page.url)


# --- Activities -----------------------------------------------------------------------


def _activity(request, page: WorkplacePage, pk: int) -> Activity:
    """One of the workplace's activities, through the submissions the user may see."""
    return get_object_or_404(
        Activity.objects.filter(
            submission__in=Submission.objects.for_user(request.user).filter(
                programme=page.programme, workplace=page.workplace
            )
        ),
        pk=pk,
    )


def _activity_form(request, page: WorkplacePage, activity: Activity | None):
    instance = activity if activity is not None else Activity()
    form_kwargs = {"instance": instance, "workplace": page.workplace, "programme": page.programme}
    if request.method == "POST":
        if not page.step.is_open:
            return step_closed_response(request, page.step.closed_error(), back_url=page.url)
        form = ActivityForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                save_activity(
                    programme=page.programme,
                    workplace=page.workplace,
                    data=form.cleaned_data,
                    activity=activity,
                    by=request.user,
                )
            except StepClosed as error:
                return step_closed_response(request, error, back_url=page.url)
            except SubmissionError as error:
                form.add_error(None, str(error))
            else:
                if warning := form.headcount_warning():
                    messages.warning(request, warning)
                messages.success(
                    request,
                    _("Aktiviteten er gemt.") if activity else _("Aktiviteten er registreret."),
                )
                return redirect(f"{page.url}#aktiviteter")
    else:
        form = ActivityForm(**form_kwargs)
        if not page.step.is_open:
            make_read_only(form)
    return render(
        request,
        "clarification/activity_form.html",
        page.context(form=form, activity=activity),
    )


def activity_create(request, code):
    """Register an activity the workplace held with its staff."""
    return _activity_form(request, workplace_page(request, code, edit=True), None)


def activity_edit(request, code, pk):
    """Change one of the workplace's activities."""
    page = workplace_page(request, code, edit=True)
    return _activity_form(request, page, _activity(request, page, pk))


def activity_delete(request, code, pk):
    """Ask (GET) and delete (POST) one of the workplace's activities."""
    page = workplace_page(request, code, edit=True)
    activity = _activity(request, page, pk)
    if request.method == "POST":
        try:
            delete_activity(activity=activity, by=request.user)
        except StepClosed as error:
            return step_closed_response(request, error, back_url=page.url)
        except SubmissionError as error:
            messages.error(request, str(error))
            return redirect(page.url)
        messages.success(request, _("Aktiviteten er slettet."))
        return redirect(f"{page.url}#aktiviteter")
    return render(
        request, "clarification/activity_confirm_delete.html", page.context(activity=activity)
    )


# --- Input ----------------------------------------------------------------------------


def _count(value, default: int) -> int:
    return int(value) if str(value).isdigit() else default


def _items(formset) -> list[InputItem]:
    """The rows of a valid formset that change something: new, changed or deleted items."""
    items = []
    deleted = set(map(id, formset.deleted_forms))
    for form in formset.forms:
        pk = form.instance.pk
        if id(form) in deleted:
            if pk is not None:
                items.append(InputItem(pk=pk, delete=True))
        elif form.has_changed():
            items.append(InputItem(pk=pk, data={f: form.cleaned_data[f] for f in INPUT_FIELDS}))
    return items


def inputs_edit(request, code):
    """The leader's input items: change, add and delete any number of them, without scripts."""
    page = workplace_page(request, code, edit=True)
    queryset = _leader_inputs(request, page).prefetch_related("attachments")
    empty = min(_count(request.GET.get("felter"), EMPTY_ITEMS), MAX_EMPTY_ITEMS)

    if request.method == "POST":
        if not page.step.is_open:
            return step_closed_response(request, page.step.closed_error(), back_url=page.url)
        wants_more = request.POST.get("handling") == "flere"
        formset = input_formset_class(empty_items=0)(
            request.POST, queryset=queryset, prefix=INPUT_PREFIX
        )
        if formset.is_valid():
            try:
                save_inputs(
                    programme=page.programme,
                    workplace=page.workplace,
                    items=_items(formset),
                    by=request.user,
                )
            except StepClosed as error:
                return step_closed_response(request, error, back_url=page.url)
            except SubmissionError as error:
                messages.error(request, str(error))
            else:
                edit_url = reverse("clarification:inputs-edit", kwargs={"code": code})
                if wants_more:
                    still_empty = sum(1 for form in formset.extra_forms if not form.has_changed())
                    messages.success(request, _("Dit input er gemt. Der er flere felter nedenfor."))
                    return redirect(
                        f"{edit_url}?felter={min(still_empty + EMPTY_ITEMS, MAX_EMPTY_ITEMS)}"
                        "#nye-felter"
                    )
                messages.success(request, _("Dit input er gemt."))
                return redirect(f"{page.url}#input")
        elif wants_more:
            # Keep what was typed, errors and all, and add the empty fields asked for.
            data = request.POST.copy()
            total = _count(data.get(f"{INPUT_PREFIX}-TOTAL_FORMS"), 0)
            data[f"{INPUT_PREFIX}-TOTAL_FORMS"] = str(total + EMPTY_ITEMS)
            formset = input_formset_class(empty_items=0)(
                data, queryset=queryset, prefix=INPUT_PREFIX
            )
            formset.is_valid()
    else:
        formset = input_formset_class(empty_items=empty if page.step.is_open else 0)(
            queryset=queryset, prefix=INPUT_PREFIX
        )
        if not page.step.is_open:
            for form in formset:
                make_read_only(form)
    first_empty = next(
        (i for i, form in enumerate(formset.forms) if form.instance.pk is None), None
    )
    return render(
        request,
        "clarification/inputs_form.html",
        page.context(formset=formset, first_empty=first_empty),
    )


# --- Attachments ----------------------------------------------------------------------


class AttachmentSizeLimit(FileUploadHandler):
    """Stop reading an uploaded file at the size limit, so a huge file is never stored."""

    def __init__(self, request=None, limit: int = MAX_ATTACHMENT_BYTES):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def _leader_input(request, page: WorkplacePage, pk: int) -> Input:
    return get_object_or_404(_leader_inputs(request, page), pk=pk)


def _attachment(request, pk: int) -> Attachment:
    """An attachment of an input the user may see."""
    return get_object_or_404(
        Attachment.objects.filter(input__in=Input.objects.for_user(request.user)).select_related(
            "input__workplace__administration", "input__programme"
        ),
        pk=pk,
    )


@csrf_exempt
def attachment_upload(request, code, pk):
    """Attach photos or PDFs to one of the leader's input items."""
    # The size limit must be in place before anything reads the body, the CSRF check
    # included, so that check runs inside (csrf_protect), as Django's docs describe.
    limit = AttachmentSizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _attachment_upload(request, code, pk, limit)


@csrf_protect
def _attachment_upload(request, code, pk, limit):
    page = workplace_page(request, code, edit=True)
    item = _leader_input(request, page, pk)
    if request.method == "POST":
        if not page.step.is_open:
            return step_closed_response(request, page.step.closed_error(), back_url=page.url)
        form = AttachmentForm(request.POST, request.FILES, too_large=limit.exceeded)
        if form.is_valid():
            try:
                attachment = add_attachment(
                    item=item, upload=form.cleaned_data["file"], by=request.user
                )
            except StepClosed as error:
                return step_closed_response(request, error, back_url=page.url)
            except AttachmentRejected as error:
                form.add_error("file", str(error))
            else:
                messages.success(
                    request,
                    _("Bilaget “%(name)s” er tilføjet.") % {"name": attachment.original_name},
                )
                return redirect(request.path)
    else:
        form = AttachmentForm()
        if not page.step.is_open:
            make_read_only(form)
    attachments = list(item.attachments.order_by("pk"))
    return render(
        request,
        "clarification/attachment_form.html",
        page.context(
            form=form,
            item=item,
            attachments=attachments,
            room_for_more=len(attachments) < MAX_ATTACHMENTS_PER_INPUT,
            max_attachments=MAX_ATTACHMENTS_PER_INPUT,
        ),
    )


@never_cache
def attachment_download(request, pk):
    """Send an attachment to someone allowed to see its input, as a download only."""
    step_two_scope(request.user)
    attachment = _attachment(request, pk)
    # Read whole (at most 10 MB, the upload limit) so no file handle outlives the request.
    try:
        with attachment.file.open("rb") as file:
            content = file.read()
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_delete(request, pk):
    """Ask (GET) and remove (POST) an attachment of the leader's own workplace."""
    scope = step_two_scope(request.user)
    attachment = _attachment(request, pk)
    item = attachment.input
    if item.workplace_id not in scope.led_workplace_ids or item.source != InputSource.LEADER:
        raise PermissionDenied
    page = workplace_page(request, item.workplace.code, edit=True)
    back_url = reverse(
        "clarification:attachment-upload", kwargs={"code": item.workplace.code, "pk": item.pk}
    )
    if request.method == "POST":
        try:
            delete_attachment(attachment=attachment, by=request.user)
        except StepClosed as error:
            return step_closed_response(request, error, back_url=back_url)
        messages.success(
            request, _("Bilaget “%(name)s” er fjernet.") % {"name": attachment.original_name}
        )
        return redirect(back_url)
    return render(
        request,
        "clarification/attachment_confirm_delete.html",
        page.context(attachment=attachment, item=item, back_url=back_url),
    )


_WORKPLACE = "afklaring/arbejdspladser/<str:code>/"

urlpatterns = [
    path("afklaring/arbejdspladser/", workplace_list, name="workplaces"),
    path(_WORKPLACE, workplace_detail, name="workplace"),
    path(f"{_WORKPLACE}aktiviteter/ny/", activity_create, name="activity-create"),
    path(f"{_WORKPLACE}aktiviteter/<int:pk>/", activity_edit, name="activity-edit"),
    path(f"{_WORKPLACE}aktiviteter/<int:pk>/slet/", activity_delete, name="activity-delete"),
    path(f"{_WORKPLACE}input/", inputs_edit, name="inputs-edit"),
    path(f"{_WORKPLACE}aflever/", deliver, name="deliver"),
    path(f"{_WORKPLACE}input/<int:pk>/bilag/", attachment_upload, name="attachment-upload"),
    path("afklaring/bilag/<int:pk>/", attachment_download, name="attachment-download"),
    path("afklaring/bilag/<int:pk>/slet/", attachment_delete, name="attachment-delete"),
]
