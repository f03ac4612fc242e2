"""Pages of agreements: the list, one agreement with its history, the form, the agreements
ending soon, and the network view. Who may do what is decided in services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from simpul.accounts.forms import add_service_errors
from simpul.agreements import graph, services
from simpul.agreements.forms import AgreementForm, FilterForm, PartyFormSet, party_initial
from simpul.agreements.models import Agreement, Change, Kind, Service, Status
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions
from simpul.network.queries import current_network

EXPIRING_CHOICES = (30, 90, 180, 365)


def _require_reader(request: HttpRequest) -> None:
    if not services.can_see_agreements(request.user):
        raise AccessDenied(_("Agreements are for library staff and the network coordinator."))


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    filters = FilterForm(request.GET or None)
    agreements = services.visible_agreements(request.user)
    if filters.is_valid():
        data = filters.cleaned_data
        agreements = services.filter_agreements(
            agreements,
            text=data["q"].strip(),
            kind=data["kind"],
            status=data["status"],
            service=data["service"],
            library=data["library"],
        )
    rows = agreements.prefetch_related("parties__library", "services")
    return render(
        request,
        "agreements/list.html",
        {
            "filters": filters,
            "agreements": rows,
            "can_create": services.can_edit(request.user),
            "today": services.network_today(),
        },
    )


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = services.get_visible(request.user, pk)
    children = services.visible_agreements(request.user).filter(parent=agreement)
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "parties": agreement.parties.select_related("library"),
            "children": children,
            "history": _history(agreement),
            "can_edit": services.can_edit(request.user, agreement),
            "today": services.network_today(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    if not services.can_edit(request.user):
        raise AccessDenied(
            _("Only the network coordinator and library administrators can record agreements.")
        )
    initial: list[dict[str, Any]] = []
    if not permissions.is_coordinator(request.user):
        initial = [{"library": request.user.library_id}]  # type: ignore[union-attr]
    return _edit(request, Agreement(), initial)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = services.get_visible(request.user, pk)
    if not services.can_edit(request.user, agreement):
        raise AccessDenied(_("You may read this agreement but not change it."))
    return _edit(request, agreement, party_initial(agreement))


def _edit(
    request: HttpRequest, agreement: Agreement, initial: list[dict[str, Any]]
) -> HttpResponse:
    is_new = agreement.pk is None
    mous = services.visible_agreements(request.user).filter(kind=Kind.MOU)
    post = request.POST if request.method == "POST" else None
    form = AgreementForm(
        post,
        request.FILES or None,
        instance=agreement,
        mous=mous,
        coordinator=permissions.is_coordinator(request.user),
    )
    formset = PartyFormSet(post, initial=initial, prefix="party")
    if post is not None and form.is_valid() and formset.is_valid():
        parties = [
            party.values()
            for party in formset.forms
            if party.cleaned_data and not party.cleaned_data.get("DELETE")
        ]
        values = {name: form.cleaned_data[name] for name in services.AGREEMENT_FIELDS}
        try:
            saved = services.save_agreement(
                request.user,
                values,
                parties,
                form.cleaned_data["services"],
                agreement=None if is_new else Agreement.objects.get(pk=agreement.pk),
                document=form.cleaned_data.get("signed_document") or None,
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("agreements:detail", pk=saved.pk)
    return render(
        request,
        "agreements/form.html",
        {"form": form, "formset": formset, "agreement": agreement, "is_new": is_new},
        status=400 if post is not None else 200,
    )


@login_required
def signed_document(request: HttpRequest, pk: int) -> FileResponse:
    """The signed PDF, only to those who may read the agreement (files have unguessable
    names and are never linked from /media/)."""
    agreement = services.get_visible(request.user, pk)
    if not agreement.signed_document:
        raise Http404
    return FileResponse(
        agreement.signed_document.open("rb"),
        content_type="application/pdf",
        filename=f"{slugify(agreement.title) or 'agreement'}.pdf",
    )


@login_required
def expiring(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    try:
        days = int(request.GET.get("days", "90"))
    except ValueError:
        days = 90
    if days not in EXPIRING_CHOICES:
        days = 90
    today = services.network_today()
    rows = [
        (agreement, (agreement.end_date - today).days)  # type: ignore[operator]
        for agreement in services.expiring_soon(request.user, days, today).prefetch_related(
            "parties__library", "services"
        )
    ]
    return render(
        request,
        "agreements/expiring.html",
        {"rows": rows, "days": days, "choices": EXPIRING_CHOICES},
    )


def network_view(request: HttpRequest) -> HttpResponse:
    """Public: which members are linked by which services today (no agreement texts)."""
    service = request.GET.get("service", "")
    if service not in Service.values:
        service = ""
    drawing = graph.build(current_network(), service)
    return render(
        request,
        "agreements/network.html",
        {
            "graph": drawing,
            "service": service,
            "services": Service.choices,
            "can_see_agreements": services.can_see_agreements(request.user),
        },
    )


FIELD_LABELS = {
    "services": gettext_lazy("Services covered"),
    "parties": gettext_lazy("Parties"),
    "signed_document": gettext_lazy("Signed document (PDF)"),
}


def _label(name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    try:
        field = Agreement._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _value(name: str, value: str) -> str:
    if name == "status" and value in Status.values:
        return str(Status(value).label)
    if name == "kind" and value in Kind.values:
        return str(Kind(value).label)
    if name == "services":
        return ", ".join(
            str(Service(code).label) if code in Service.values else code
            for code in value.split(", ")
            if code
        )
    if name == "signed_document" and value:
        return _("a PDF file")
    return value


def _history(agreement: Agreement) -> list[dict[str, Any]]:
    actions = {
        "created": _("Recorded"),
        "changed": _("Changed"),
        "expired": _("Expired (end date passed)"),
    }
    rows = []
    for change in Change.objects.filter(agreement=agreement).select_related("changed_by"):
        rows.append(
            {
                "change": change,
                "action": actions.get(change.action, change.action),
                "fields": [
                    (_label(name), _value(name, old), _value(name, new))
                    for name, (old, new) in change.fields.items()
                ],
            }
        )
    return rows
