"""The import and export pages of the HR admins: Danish forms, our formats, our summary."""

import contextlib
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from .columns import Column
from .errors import ImportFileError
from .formats import CSVFormat, XLSXFormat, check_size

logger = logging.getLogger(__name__)

FORMATS = (CSVFormat, XLSXFormat)


class HRImportForm(ImportForm):
    """Upload an HR file; refuse what is too big before anything reads it."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        upload = self.fields["import_file"]
        upload.label = gettext_lazy("Fil")
        upload.help_text = gettext_lazy("CSV (; , eller tabulator) eller Excel (XLSX).")
        upload.error_messages["empty"] = gettext_lazy("Filen er tom.")
        upload.error_messages["required"] = gettext_lazy("Vælg en fil.")
        self.fields["format"].label = gettext_lazy("Format")
        self.fields["format"].error_messages["required"] = gettext_lazy(
            "Vælg filens format: csv eller xlsx."
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise forms.ValidationError(str(error), code="too_big") from None
        return upload


class PeopleImportForm(HRImportForm):
    complete_list = forms.BooleanField(
        label=gettext_lazy("Komplet medarbejderliste"),
        required=False,
        help_text=gettext_lazy(
            "Sæt kryds, hvis filen indeholder alle aktive medarbejdere. Aktive personer, som "
            "ikke står i filen, bliver markeret som inaktive. Ingen slettes."
        ),
    )
    field_order = ["resource", "import_file", "format", "complete_list"]


class HRConfirmImportForm(ConfirmImportForm):
    # Only our own two formats: a tampered index must be a form error, not a crash.
    format = forms.ChoiceField(
        choices=[(str(i), fmt.title) for i, fmt in enumerate(FORMATS)],
        widget=forms.HiddenInput(),
    )
    complete_list = forms.BooleanField(required=False, widget=forms.HiddenInput())


class HRExportForm(ExportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["format"].label = gettext_lazy("Format")
        self.fields["format"].error_messages["required"] = gettext_lazy(
            "Vælg et format: csv eller xlsx."
        )


def column_rows(columns: tuple[Column, ...]) -> list[dict]:
    """The header table prepared for the import page."""
    labels = {column.key: column.label for column in columns}
    rows = []
    for column in columns:
        if column.required and column.or_columns:
            required = _("ja, eller %(columns)s") % {
                "columns": " + ".join(labels[key] for key in column.or_columns)
            }
        else:
            required = _("ja") if column.required else _("nej")
        rows.append(
            {
                "label": column.label,
                "aliases": [alias for alias in column.aliases if alias != column.key],
                "required": required,
                "help": column.help,
            }
        )
    return rows


class HRImportExportMixin(ImportExportMixin):
    """Import with a dry run and an all-or-nothing confirm; export as CSV or XLSX.

    The resource must be a `BulkImportResource`. Import and export each need their own
    permission (`programme.import_person`, `programme.export_person`, ...), given to HR.
    """

    import_template_name = "admin/programme/import.html"
    export_template_name = "admin/programme/export.html"
    import_export_change_list_template = "admin/programme/change_list_import_export.html"
    import_form_class = HRImportForm
    confirm_form_class = HRConfirmImportForm
    export_form_class = HRExportForm
    supports_complete_list = False

    @property
    def import_resource(self):
        return self.resource_classes[0]

    def get_import_formats(self):
        return self.import_resource.get_import_formats()

    def get_export_formats(self):
        return list(FORMATS)

    def get_import_form_class(self, request):
        return PeopleImportForm if self.supports_complete_list else self.import_form_class

    def get_import_resource_kwargs(self, request, **kwargs):
        data = getattr(kwargs.get("form"), "cleaned_data", None) or {}
        return {"complete_list": self.supports_complete_list and bool(data.get("complete_list"))}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["complete_list"] = bool(import_form.cleaned_data.get("complete_list"))
        return initial

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def get_import_context_data(self, **kwargs):
        return {
            "page_title": _("Importér %(name)s") % {"name": self.model._meta.verbose_name_plural},
            "columns": column_rows(self.import_resource.columns),
            "key_label": self.import_resource.columns[0].label,
            "max_megabytes": settings.IMPORT_MAX_BYTES // (1024 * 1024),
        }

    def write_to_tmp_storage(self, import_file, input_format):
        # The library concatenates chunks one by one (quadratic for a 25 MB file).
        storage = self.get_tmp_storage_class()(
            encoding=None, read_mode="rb", **self.get_tmp_storage_class_kwargs()
        )
        storage.save(b"".join(import_file.chunks()))
        return storage

    def add_data_read_fail_error_to_form(self, form, e):
        # Before add_error(), which drops the file from cleaned_data.
        self._discard_upload(form)
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
            return
        logger.exception("Unreadable import file")
        form.add_error(
            "import_file",
            _(
                "Filen kunne ikke læses. Kontrollér, at den er en CSV- eller XLSX-fil, og at det "
                "rigtige format er valgt."
            ),
        )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if "confirm_form" not in context and context.get("form") is not None:
            # Rows with errors: nobody will confirm, so do not leave the upload in /tmp.
            self._discard_upload(context["form"])
        return response

    def _discard_upload(self, form) -> None:
        upload = (getattr(form, "cleaned_data", None) or {}).get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            storage = self.get_tmp_storage_class()(
                name=name, read_mode="rb", **self.get_tmp_storage_class_kwargs()
            )
            with contextlib.suppress(OSError):
                storage.remove()

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except (ImportFileError, FileNotFoundError):
            # The uploaded file is gone (confirmed twice, or cleaned up) or no longer reads.
            messages.error(request, _("Filen kunne ikke findes igen. Upload den på ny."))
            return HttpResponseRedirect(self._import_url())

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _(
                    "Importen blev ikke gennemført, og intet er ændret: data er ændret siden "
                    "prøvekørslen. Upload filen igen, og se fejlene."
                ),
            )
            return HttpResponseRedirect(self._import_url())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(
            request,
            _(
                "Importen er gennemført: %(new)s nye, %(updated)s opdaterede, %(unchanged)s "
                "uændrede og %(deactivated)s gjort inaktive %(name)s."
            )
            % {
                "new": result.new,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "deactivated": result.deactivated,
                "name": self.model._meta.verbose_name_plural,
            },
        )

    def _import_url(self) -> str:
        info = self.get_model_info()
        return reverse("admin:{}_{}_import".format(*info), current_app=self.admin_site.name)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        # Excel gets numbers as numbers; CSV is text anyway.
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=isinstance(file_format, XLSXFormat),
            **kwargs,
        )
        return file_format.export_data(data)

    def get_export_filename(self, request, queryset, file_format):
        name = str(self.model._meta.verbose_name_plural).replace(" ", "-")
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_export_context_data(self, **kwargs):
        return {
            "page_title": _("Eksportér %(name)s") % {"name": self.model._meta.verbose_name_plural}
        }
