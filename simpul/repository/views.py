"""Repository pages: deposit, the staff's review queue, public item pages with citation
metadata, downloads that honour access and embargo, tombstones, statistics and policies."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from simpul.accounts.forms import add_service_errors
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions
from simpul.network.models import Library
from simpul.repository import audit, catalogue, ingest, policies, services
from simpul.repository.forms import ItemForm, PolicyForm, ReviewForm, WithdrawForm
from simpul.repository.models import (
    FixityRun,
    Item,
    ItemStatus,
    ItemType,
    PolicyKind,
    StoredFile,
)

SCHEMA_TYPES = {
    ItemType.SKRIPSI: "Thesis",
    ItemType.THESIS: "Thesis",
    ItemType.DISSERTATION: "Thesis",
    ItemType.FINAL_PROJECT: "Thesis",
    ItemType.ARTICLE: "ScholarlyArticle",
    ItemType.REPORT: "Report",
    ItemType.BOOK_CHAPTER: "Chapter",
    ItemType.DATASET: "Dataset",
}
HIGHWIRE_INSTITUTION = {ItemType.SKRIPSI, ItemType.THESIS, ItemType.DISSERTATION,
                        ItemType.FINAL_PROJECT}  # fmt: skip


def _uploads(form: ItemForm) -> list[tuple[str, Any]]:
    return [
        (upload.name or "file", upload) for upload in form.cleaned_data.get("attachments") or []
    ]


def _show_errors(form: ItemForm, exc: InvalidInput) -> None:
    """A refused file is shown at the file field (the service calls it "files")."""
    if hasattr(exc, "error_dict") and "files" in exc.message_dict:
        errors = dict(exc.message_dict)
        for text in errors.pop("files"):
            form.add_error("attachments", text)
        exc = InvalidInput(errors) if errors else None  # type: ignore[assignment]
        if exc is None:
            return
    add_service_errors(form, exc)


def home(request: HttpRequest) -> HttpResponse:
    published = Item.objects.filter(status=ItemStatus.PUBLISHED).select_related("library")
    page = Paginator(published.order_by("-published_at"), 20).get_page(request.GET.get("page"))
    libraries = [
        library
        for library in Library.objects.order_by("code")
        if services.can_deposit(request.user, library)
    ]
    from simpul.repository.models import MemberRepository

    members = MemberRepository.objects.select_related("source__library").order_by(
        "source__library__code"
    )
    return render(
        request,
        "repository/home.html",
        {"page": page, "libraries": libraries, "members": members},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deposit(request: HttpRequest, code: str) -> HttpResponse:
    library = get_object_or_404(Library, code=code)
    if not services.can_deposit(request.user, library):
        raise PermissionDenied(_("You cannot deposit for this library."))
    try:
        services.check_deposit_agreement(library)
    except AccessDenied as exc:
        return render(request, "repository/no_agreement.html", {"message": exc.message}, status=403)
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.deposit(request.user, library, form.values(), _uploads(form))
        except InvalidInput as exc:
            _show_errors(form, exc)
        except AccessDenied as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The item was submitted for review."))
            return redirect("repository:item", pk=item.pk)
    return render(request, "repository/deposit.html", {"form": form, "library": library})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    items = services.visible_items(request.user)
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        items = items.filter(status=status)
    page = Paginator(items.order_by("-updated_at"), 50).get_page(request.GET.get("page"))
    library = _own_library(request)
    return render(
        request,
        "repository/queue.html",
        {
            "page": page,
            "status": status,
            "statuses": ItemStatus.choices,
            "library": library,
            "authors_may_deposit": library is not None and services.authors_may_deposit(library),
        },
    )


def _own_library(request: HttpRequest) -> Library | None:
    """The library whose deposit rules this staff member may set, if any."""
    library: Library | None = getattr(request.user, "library", None)
    if library is not None and permissions.can_edit_library(request.user, library):
        return library
    return None


@login_required
@require_POST
def deposit_policy(request: HttpRequest) -> HttpResponse:
    """A library's staff let its own authors (its patrons) deposit, or stop them."""
    library = _own_library(request)
    if library is None:
        raise PermissionDenied(_("Only staff of a member library can set who deposits for it."))
    allowed = request.POST.get("authors_may_deposit") == "on"
    services.set_deposit_policy(request.user, library, allowed)
    if allowed:
        messages.success(request, _("Your library's authors may now deposit their own work."))
    else:
        messages.success(request, _("Only your library's staff may deposit now."))
    return redirect("repository:queue")


def _visible(request: HttpRequest, pk: int) -> Item:
    item = get_object_or_404(Item.objects.select_related("library"), pk=pk)
    if not services.can_view(request.user, item):
        raise Http404
    return item


def _json_ld(request: HttpRequest, item: Item, files: list[StoredFile], show: bool) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(ItemType(item.item_type), "CreativeWork"),
        "name": item.title,
        "author": [
            {"@type": "Person", "name": person["name"]} for person in item.authors if person["name"]
        ],
        "datePublished": str(item.year),
        "inLanguage": item.language,
        "keywords": item.keywords,
        "abstract": item.abstract_en or item.abstract_id,
        "publisher": {"@type": "Organization", "name": item.publisher or item.library.name},
        "url": request.build_absolute_uri(),
        "isAccessibleForFree": services.files_open_to_all(item),
    }
    if item.licence_url:
        data["license"] = item.licence_url
    if item.advisor_names:
        data["contributor"] = [{"@type": "Person", "name": n} for n in item.advisor_names]
    if show:
        data["encoding"] = [
            {
                "@type": "MediaObject",
                "contentUrl": request.build_absolute_uri(_file_url(item, stored)),
                "encodingFormat": stored.mime_type,
                "contentSize": str(stored.size),
                "sha256": stored.sha256,
            }
            for stored in files
        ]
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return mark_safe(text)  # noqa: S308 - JSON with < and > escaped cannot close the script


def _file_url(item: Item, stored: StoredFile) -> str:
    from django.urls import reverse

    return reverse("repository:download", args=[item.pk, stored.pk, stored.original_name])


def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    if item.status == ItemStatus.WITHDRAWN:
        return render(request, "repository/tombstone.html", {"item": item}, status=410)
    files = list(item.live_files())
    may_download = services.can_download(request.user, item)
    reviewer = services.is_reviewer(request.user, item.library)
    context = {
        "item": item,
        "files": [(stored, _file_url(item, stored)) for stored in files],
        "may_download": may_download,
        "why_not": "" if may_download else services.access_explanation(item),
        "downloads": services.download_count(item),
        "reviewer": reviewer,
        "may_edit": reviewer
        or (
            request.user.is_authenticated
            and item.deposited_by_id == request.user.pk
            and item.status in (ItemStatus.SUBMITTED, ItemStatus.RETURNED)
        ),
        "review_form": ReviewForm(),
        "withdraw_form": WithdrawForm(),
        "json_ld": _json_ld(request, item, files, services.files_open_to_all(item)),
        "pdf_url": next(
            (
                request.build_absolute_uri(url)
                for stored, url in [(s, _file_url(item, s)) for s in files]
                if stored.is_pdf
            ),
            "",
        )
        if services.files_open_to_all(item)
        else "",
        "thesis": ItemType(item.item_type) in HIGHWIRE_INSTITUTION,
        "versions": item.versions.all() if reviewer else [],
        "catalogue_url": catalogue.item_url(item),
    }
    return render(request, "repository/item.html", context)


@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, pk: int, file_pk: int, name: str) -> HttpResponseBase:
    item = _visible(request, pk)
    if item.status == ItemStatus.WITHDRAWN:
        return render(request, "repository/tombstone.html", {"item": item}, status=410)
    stored = get_object_or_404(StoredFile, pk=file_pk, item=item)
    if not services.can_download(request.user, item):
        return render(
            request,
            "repository/no_access.html",
            {"item": item, "why_not": services.access_explanation(item)},
            status=403,
        )
    if request.method == "GET":
        services.record_download(
            stored, request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_USER_AGENT", "")
        )
    handle = ingest.repository_storage().open(stored.storage_name, "rb")
    response = FileResponse(
        handle,
        content_type=stored.mime_type,
        as_attachment=not stored.is_pdf,
        filename=stored.original_name,
    )
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        initial=ItemForm.initial_for(item),
        editing=item.status == ItemStatus.PUBLISHED,
    )
    if request.method == "POST" and form.is_valid():
        remove = [int(v) for v in request.POST.getlist("remove_file") if v.isdigit()]
        try:
            services.update(
                request.user,
                item,
                form.values(),
                _uploads(form),
                remove_files=remove,
                note=form.cleaned_data.get("note", ""),
            )
        except InvalidInput as exc:
            _show_errors(form, exc)
        except AccessDenied as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("repository:item", pk=item.pk)
    return render(
        request,
        "repository/edit.html",
        {"form": form, "item": item, "files": item.live_files()},
    )


def _act(request: HttpRequest, item: Item, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except InvalidInput as exc:
        for text in exc.messages:
            messages.error(request, text)
    except AccessDenied as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("repository:item", pk=item.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    item = _visible(request, pk)
    comment = request.POST.get("comment", "")
    done = (
        _("The item was approved.")
        if decision == "approve"
        else _("The item was returned to the depositor.")
    )
    return _act(request, item, lambda: services.review(request.user, item, decision, comment), done)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    return _act(
        request, item, lambda: services.publish(request.user, item), _("The item was published.")
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        item,
        lambda: services.withdraw(request.user, item, reason),
        _("The item was withdrawn."),
    )


@login_required
def item_audit(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    item = _visible(request, pk)
    if not services.is_reviewer(request.user, item.library):
        raise PermissionDenied
    return _trail(
        audit.export_csv(item) if fmt == "csv" else audit.export_jsonl(item),
        fmt,
        f"item-{item.pk}-audit",
    )


@login_required
def network_audit(request: HttpRequest, fmt: str) -> HttpResponseBase:
    permissions.check_is_coordinator(request.user)
    return _trail(audit.export_csv() if fmt == "csv" else audit.export_jsonl(), fmt, "audit")


def _trail(lines: Any, fmt: str, name: str) -> HttpResponseBase:
    kind = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    response = StreamingHttpResponse(lines, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def preservation(request: HttpRequest) -> HttpResponse:
    """The coordinator's view: fixity audits and the audit chain's state."""
    permissions.check_is_coordinator(request.user)
    return render(
        request,
        "repository/preservation.html",
        {
            "runs": FixityRun.objects.all()[:20],
            "chain": audit.verify_chain(),
            "statistics": services.download_statistics(request.user),
        },
    )


@login_required
def statistics(request: HttpRequest, code: str) -> HttpResponse:
    library = get_object_or_404(Library, code=code)
    rows = services.download_statistics(request.user, library)
    top = (
        Item.objects.filter(library=library, status=ItemStatus.PUBLISHED)
        .order_by("-pk")
        .only("pk", "title")
    )
    counts = [(item, services.download_count(item)) for item in top[:200]]
    counts = sorted((pair for pair in counts if pair[1]), key=lambda pair: -pair[1])[:20]
    return render(
        request,
        "repository/statistics.html",
        {"library": library, "rows": rows, "top": counts},
    )


def policy_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in PolicyKind.values:
        raise Http404
    return render(
        request,
        "repository/policy.html",
        {
            "policy": policies.policy(kind),
            "kinds": PolicyKind.choices,
            "may_edit": permissions.is_coordinator(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in PolicyKind.values:
        raise Http404
    permissions.check_is_coordinator(request.user)
    page = policies.PolicyPage.objects.filter(kind=kind).first()
    defaults = policies.DEFAULTS[kind]
    initial = {
        "body_id": page.body_id if page else defaults[0],
        "body_en": page.body_en if page else defaults[1],
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_policy(
                request.user, kind, form.cleaned_data["body_id"], form.cleaned_data["body_en"]
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The policy was saved."))
            return redirect("repository:policy", kind=kind)
    return render(
        request,
        "repository/policy_edit.html",
        {"form": form, "policy": policies.policy(kind)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_repositories(request: HttpRequest) -> HttpResponse:
    """Staff mark which of their harvest sources are their institutional repository."""
    from simpul.harvest.queries import sources_for
    from simpul.repository.harvested import set_member_repository
    from simpul.repository.models import MemberRepository, Platform

    sources = list(sources_for(request.user).order_by("library__code", "name"))
    if request.method == "POST":
        source = next((s for s in sources if str(s.pk) == request.POST.get("source")), None)
        platform = request.POST.get("platform", "")
        if source is None or (platform and platform not in Platform.values):
            raise Http404
        try:
            set_member_repository(request.user, source, platform or None)
        except AccessDenied as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("repository:member_repositories")
    marked = dict(
        MemberRepository.objects.filter(source__in=sources).values_list("source_id", "platform")
    )
    return render(
        request,
        "repository/member_repositories.html",
        {
            "rows": [(source, marked.get(source.pk, "")) for source in sources],
            "platforms": Platform.choices,
        },
    )
