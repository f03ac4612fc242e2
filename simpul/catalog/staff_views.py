"""Library staff look after their catalogue: upload files and follow their import; correct
the grouping of records into titles."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from simpul.accounts.forms import add_service_errors
from simpul.catalog import queries
from simpul.catalog.bibliographic import SourceFormat
from simpul.catalog.models import ImportJob, ImportMode, Record
from simpul.catalog.services import decisions, imports
from simpul.catalog.tasks import run_import
from simpul.core.errors import InvalidInput
from simpul.web.htmx import is_htmx

FORMAT_CHOICES = [
    ("", gettext_lazy("Recognise it from the file")),
    (SourceFormat.MARC21.value, "MARC 21 (ISO 2709, .mrc)"),
    (SourceFormat.MARCXML.value, "MARCXML"),
    (SourceFormat.OAI_DC.value, "Dublin Core (oai_dc)"),
    (SourceFormat.MODS.value, "MODS"),
    (SourceFormat.CSV.value, gettext_lazy("CSV (SLiMS, INLISLite, spreadsheet)")),
]


class ImportUploadForm(forms.Form):
    library = forms.ChoiceField(label=gettext_lazy("Library"))
    file = forms.FileField(
        label=gettext_lazy("Catalogue file"),
        help_text=gettext_lazy(
            "An export of your library system: MARC 21, MARCXML, Dublin Core, MODS or CSV, "
            "up to 2 GB."
        ),
    )
    source_format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=FORMAT_CHOICES, required=False
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("What the file is"),
        choices=[
            (
                ImportMode.UPDATE.value,
                gettext_lazy("New and changed records: add and update, keep everything else"),
            ),
            (
                ImportMode.REPLACE.value,
                gettext_lazy(
                    "Our whole catalogue: also withdraw our records that are not in this file"
                ),
            ),
        ],
        initial=ImportMode.UPDATE.value,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, libraries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        library = self.fields["library"]
        assert isinstance(library, forms.ChoiceField)
        library.choices = [(lib.code, lib.display_name) for lib in libraries]
        if len(libraries) == 1:  # shown, so staff see whose catalogue it goes into, but fixed
            library.initial = libraries[0].code
            library.disabled = True

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 2 GB; split it into smaller files.")
            )
        return upload


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    """The upload form and the history of imports of the libraries this person works for."""
    libraries = queries.libraries_for_import(request.user)
    if not libraries:
        return render(request, "catalog/imports/none.html", status=403)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, libraries=libraries)
        if form.is_valid():
            library = next(lib for lib in libraries if lib.code == form.cleaned_data["library"])
            upload = form.cleaned_data["file"]
            try:
                job = imports.create_import_job(
                    request.user,
                    library,
                    upload,
                    upload.name,
                    mode=form.cleaned_data["mode"],
                    source_format=form.cleaned_data["source_format"],
                )
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                run_import.enqueue(job.pk)
                return redirect("catalog:import", pk=job.pk)
    else:
        form = ImportUploadForm(libraries=libraries)
    return render(
        request,
        "catalog/imports/list.html",
        {"form": form, "jobs": queries.import_jobs(request.user, libraries)},
    )


def _progress(job: ImportJob) -> dict[str, Any]:
    going = imports.pace(job)
    return {
        "job": job,
        "percent": job.progress_percent,
        "active": job.status in ("queued", "running"),
        "message": imports.report_message(job),
        "pace": going,
        "time_left": imports.time_left_text(going.time_left) if going else "",
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = queries.get_import_job_for(request.user, pk)
    context = _progress(job)
    if is_htmx(request):
        return render(request, "catalog/imports/_progress.html", context)
    context["problems"] = job.problems.order_by("position")[: queries.PROBLEMS_SHOWN]
    context["repairs"] = job.repairs.order_by("position")[: queries.PROBLEMS_SHOWN]
    context["problems_shown"] = queries.PROBLEMS_SHOWN
    return render(request, "catalog/imports/detail.html", context)


@login_required
@require_GET
def import_problems(request: HttpRequest, pk: int) -> HttpResponse:
    """Every record that could not be imported, as a spreadsheet the librarian can work from."""
    job = queries.get_import_job_for(request.user, pk)
    response = _spreadsheet(f"import-{job.pk}-problems.csv")
    writer = csv.writer(response)
    writer.writerow([_("position"), _("identifier"), _("byte offset"), _("reason")])
    for problem in job.problems.order_by("position").iterator():
        offset = "" if problem.byte_offset is None else problem.byte_offset
        writer.writerow([problem.position, problem.local_id, offset, problem.reason])
    return response


@login_required
@require_GET
def import_repairs(request: HttpRequest, pk: int) -> HttpResponse:
    """Every record imported after a repair, and what was repaired: what to correct at home."""
    job = queries.get_import_job_for(request.user, pk)
    response = _spreadsheet(f"import-{job.pk}-repairs.csv")
    writer = csv.writer(response)
    writer.writerow([_("position"), _("identifier"), _("what was repaired")])
    for repair in job.repairs.order_by("position").iterator():
        writer.writerow([repair.position, repair.local_id, repair.note])
    return response


def _spreadsheet(file_name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.write("\ufeff")  # Excel opens UTF-8 correctly only with a byte-order mark
    return response


def _staff_record(request: HttpRequest, record_pk: int) -> Record:
    record = Record.objects.select_related("library").filter(pk=record_pk).first()
    if record is None:
        raise Http404(_("There is no such record."))
    return record


@login_required
@require_POST
def split_record(request: HttpRequest, record_pk: int) -> HttpResponse:
    """ "This is another edition": the record leaves its title, now and after re-imports."""
    record = _staff_record(request, record_pk)
    came_from = record.cluster_id
    try:
        decisions.keep_apart(request.user, record, request.POST.get("note", "")[:2000])
    except InvalidInput as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalog:record", pk=came_from) if came_from else redirect("catalog:search")
    record.refresh_from_db()
    messages.success(
        request,
        _("The record of %(library)s now stands apart; it will stay apart after re-imports.")
        % {"library": record.library.code},
    )
    return redirect("catalog:record", pk=record.cluster_id)


@login_required
@require_POST
def merge_record(request: HttpRequest, record_pk: int) -> HttpResponse:
    """ "Same edition as that title": the record joins it, now and after re-imports."""
    record = _staff_record(request, record_pk)
    came_from = record.cluster_id
    try:
        target = queries.cluster_from_reference(request.POST.get("target", "")[:500])
        if target.pk == came_from:
            raise InvalidInput(_("The record is already in that title."))
        other = Record.objects.get(pk=target.best_record_id or 0)
        decisions.keep_together(request.user, record, other, request.POST.get("note", "")[:2000])
    except InvalidInput as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalog:record", pk=came_from) if came_from else redirect("catalog:search")
    messages.success(
        request,
        _("The record of %(library)s now belongs to this title; it will stay here after "
          "re-imports.") % {"library": record.library.code},
    )  # fmt: skip
    return redirect("catalog:record", pk=other.cluster_id)
