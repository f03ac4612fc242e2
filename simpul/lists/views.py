"""Pages of the retrieval tools members share: new titles (page, print, CSV, Atom),
the serials lists (search, CSV, upload) and whole-result exports of a catalogue search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from simpul.accounts.forms import add_service_errors
from simpul.catalog import queries as catalogue
from simpul.core.errors import InvalidInput
from simpul.lists import exports, new_titles, queries, serials
from simpul.lists.models import SerialFormat, UploadMode
from simpul.network.models import Library

SERIALS_PAGE_SIZE = 50
# The columns of a serials CSV (names are syntax, so they stay untranslated) and what they hold.
COLUMN_HELP = (
    (
        ("issn",),
        gettext_lazy(
            "The ISSN, e.g. 0028-0836 (checked by its check digit). Optional, but without it "
            "journals are matched by title."
        ),
    ),
    (("title", "judul"), gettext_lazy("The journal's title. Required.")),
    (("publisher", "penerbit"), gettext_lazy("Optional.")),
    (
        ("from", "dari", "to", "sampai"),
        gettext_lazy(
            "The years held, e.g. 1998 and 2020; leave “to” empty (or write “sekarang”) while "
            "you still subscribe. One column “coverage” with 1998-2020 works too."
        ),
    ),
    (
        ("format", "bentuk"),
        gettext_lazy("print (cetak), online (daring) or print+online; empty means print."),
    ),
    (
        ("notes", "catatan"),
        gettext_lazy("Anything readers should know, e.g. gaps or campus-only access."),
    ),
)


# --- new titles -------------------------------------------------------------------------------


def _library_param(request: HttpRequest) -> Library | None:
    code = request.GET.get("library", "").strip().upper()
    if not code:
        return None
    library = Library.objects.filter(code=code).first()
    if library is None:
        raise Http404(_("There is no member library with the code %(code)s.") % {"code": code})
    return library


def _new_titles_request(
    request: HttpRequest, *, paged: bool
) -> tuple[new_titles.NewTitlesPage, dict[str, Any]]:
    library = _library_param(request)
    latest = new_titles.latest_month(library) or timezone.localdate().replace(day=1)
    month = new_titles.parse_month(request.GET.get("month", "")) or latest
    subject = request.GET.get("subject", "").replace("\x00", "").strip()[:200]
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page = new_titles.new_titles(
        library,
        month,
        subject,
        page=page_number,
        page_size=new_titles.PAGE_SIZE if paged else None,
    )

    def link(name: str = "lists:new", **changes: Any) -> str:
        values = {
            "library": library.code if library else "",
            "month": f"{month:%Y-%m}",
            "subject": subject,
        }
        values.update(changes)
        items = [(k, str(v)) for k, v in values.items() if v]
        return reverse(name) + (f"?{urlencode(items)}" if items else "")

    feed_items = [("library", library.code)] if library else []
    if subject:
        feed_items.append(("subject", subject))
    context = {
        "page": page,
        "library": library,
        "month": month,
        "subject": subject,
        "libraries": Library.objects.order_by("code"),
        "months": [
            {"month": m, "url": link(month=f"{m:%Y-%m}", page=""), "current": m == month}
            for m in new_titles.recent_months(max(latest, month))
        ],
        "subjects": [
            {
                "label": label,
                "count": count,
                "url": link(subject=label),
                "current": label.casefold() == subject.casefold(),
            }
            for label, count in page.subjects
        ],
        "clear_subject_url": link(subject=""),
        "feed_url": reverse("lists:new_feed") + (f"?{urlencode(feed_items)}" if feed_items else ""),
        "print_url": link("lists:new_print"),
        "csv_url": link("lists:new_csv"),
        "previous_url": link(page=page.page - 1) if page.page > 1 else "",
        "next_url": link(page=page.page + 1) if page.page < page.page_count else "",
        "printed_at": timezone.localtime(),
    }
    return page, context


@require_GET
def new_titles_page(request: HttpRequest) -> HttpResponse:
    _page, context = _new_titles_request(request, paged=True)
    return render(request, "lists/new_titles.html", context)


@require_GET
def new_titles_print(request: HttpRequest) -> HttpResponse:
    """The whole month on one page, laid out for paper (or the browser's "save as PDF")."""
    _page, context = _new_titles_request(request, paged=False)
    return render(request, "lists/new_titles_print.html", context)


NEW_TITLES_COLUMNS = (
    "added",
    "id",
    "title",
    "authors",
    "year",
    "publisher",
    "format",
    "isbn",
    "subjects",
    "libraries",
    "call_numbers",
    "url",
)


@require_GET
def new_titles_csv(request: HttpRequest) -> StreamingHttpResponse:
    page, context = _new_titles_request(request, paged=False)

    def rows() -> Iterator[str]:
        yield "\ufeff" + exports.csv_line(NEW_TITLES_COLUMNS)
        for title in page.titles:
            record = title.hit.record
            url = request.build_absolute_uri(reverse("catalog:record", args=[title.cluster_id]))
            yield exports.csv_line(
                [
                    timezone.localtime(title.first_seen_at).date().isoformat(),
                    title.cluster_id,
                    title.hit.cluster.title,
                    "; ".join(record.authors or []) if record else "",
                    title.hit.cluster.year,
                    record.publisher if record else "",
                    title.hit.cluster.material_type,
                    "; ".join(record.isbns or []) if record else "",
                    "; ".join(title.subjects),
                    "; ".join(library.code for library in title.hit.libraries),
                    "; ".join(title.call_numbers),
                    url,
                ]
            )

    where = page.library.code.lower() if page.library else "network"
    name = f"new-titles-{where}-{context['month']:%Y-%m}.csv"
    return _streamed(rows(), "text/csv; charset=utf-8", name)


def _streamed(
    chunks: Iterator[str] | Iterator[bytes], content_type: str, file_name: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


# --- serials ----------------------------------------------------------------------------------


@require_GET
def serials_page(request: HttpRequest) -> HttpResponse:
    chosen = queries.serials_filter(request.GET)
    paginator = Paginator(queries.subscriptions(chosen), SERIALS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    base = chosen.as_items()

    def link(number: int) -> str:
        return "?" + urlencode([*base, ("page", str(number))])

    return render(
        request,
        "lists/serials.html",
        {
            "chosen": chosen,
            "page": page,
            "libraries": queries.libraries_with_serials(),
            "formats": SerialFormat.choices,
            "csv_url": reverse("lists:serials_csv") + ("?" + urlencode(base) if base else ""),
            "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
            "next_url": link(page.next_page_number()) if page.has_next() else "",
            "can_upload": bool(serials.libraries_managed_by(request.user)),
        },
    )


@require_GET
def serials_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The list as the upload reads it (plus the library), so a library can edit and re-upload."""
    chosen = queries.serials_filter(request.GET)
    found = queries.subscriptions(chosen)

    def rows() -> Iterator[str]:
        yield "\ufeff" + exports.csv_line(["library", *serials.EXPORT_COLUMNS])
        for subscription in found.iterator(chunk_size=1000):
            yield exports.csv_line(
                [
                    subscription.library.code,
                    subscription.issn,
                    subscription.title,
                    subscription.publisher,
                    subscription.coverage_from,
                    subscription.coverage_to,
                    subscription.format,
                    subscription.notes,
                ]
            )

    name = f"serials-{chosen.library.lower() or 'network'}.csv"
    return _streamed(rows(), "text/csv; charset=utf-8", name)


class UploadForm(forms.Form):
    library = forms.ChoiceField(label=gettext_lazy("Library"))
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: issn, title, publisher, from, to, format, notes (Indonesian names such as "
            "judul, penerbit, dari, sampai, bentuk, catatan are accepted too). Comma or "
            "semicolon; UTF-8 or Windows-1252."
        ),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How to apply it"),
        choices=UploadMode.choices,
        initial=UploadMode.MERGE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, libraries: list[Library], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(lib.code, f"{lib.code} — {lib.display_name}") for lib in libraries]
        if len(libraries) == 1:
            field.initial = libraries[0].code


@login_required
@require_http_methods(["GET", "POST"])
def serials_upload(request: HttpRequest) -> HttpResponse:
    libraries = serials.libraries_managed_by(request.user)
    if not libraries:
        return render(request, "lists/serials_no_access.html", status=403)
    form = UploadForm(request.POST or None, request.FILES or None, libraries=libraries)
    upload = None
    if request.method == "POST" and form.is_valid():
        library = next(lib for lib in libraries if lib.code == form.cleaned_data["library"])
        uploaded = form.cleaned_data["file"]
        try:
            upload = serials.upload_list(
                request.user, library, uploaded, uploaded.name, form.cleaned_data["mode"]
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            if upload.applied:
                messages.success(
                    request,
                    _(
                        "The serials list of %(library)s was updated: %(added)d added, "
                        "%(updated)d changed, %(removed)d removed."
                    )
                    % {
                        "library": library.code,
                        "added": upload.added,
                        "updated": upload.updated,
                        "removed": upload.removed,
                    },
                )
                return redirect(reverse("lists:serials") + f"?library={library.code}")
    history = []
    for library in libraries[:10]:
        history.extend(serials.uploads_for(request.user, library))
    history.sort(key=lambda u: (u.created_at, u.pk), reverse=True)
    return render(
        request,
        "lists/serials_upload.html",
        {"form": form, "upload": upload, "history": history[:20], "column_help": COLUMN_HELP},
    )


@require_GET
def serials_template(request: HttpRequest) -> HttpResponse:
    """An example list to fill in (the documented columns, two rows)."""
    body = "\ufeff" + exports.csv_line(serials.EXPORT_COLUMNS)
    body += exports.csv_line(["0028-0836", "Nature", "Nature Portfolio", "1998", "", "online", ""])
    body += exports.csv_line(
        ["1064-3923", "Internet World", "Meckler", "1992", "1998", "print", ""]
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="serials-template.csv"'
    return response


# --- whole result sets ------------------------------------------------------------------------


@require_GET
def export_results(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    chosen = exports.RESULT_FORMATS.get(fmt)
    if chosen is None:
        raise Http404(_("This export format is not offered."))
    params = catalogue.search_params(request.GET)
    record_url = request.build_absolute_uri(reverse("catalog:record", args=[0]))
    prefix = record_url[: record_url.rindex("0/")]

    def url_for(pk: int) -> str:
        return f"{prefix}{pk}/"

    stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%d-%H%M")
    text = chosen.mime.startswith("text/") or chosen.mime.endswith(
        ("xml", "bibtex", "info-systems")
    )
    content_type = f"{chosen.mime}; charset=utf-8" if text else chosen.mime
    return _streamed(
        exports.stream_results(params, chosen, url_for),
        content_type,
        f"simpul-results-{stamp}.{chosen.extension}",
    )
