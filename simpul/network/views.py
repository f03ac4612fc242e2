from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from simpul.accounts import queries as account_queries
from simpul.accounts.forms import add_service_errors
from simpul.core.errors import InvalidInput
from simpul.network import permissions, queries, services
from simpul.network.forms import DirectoryFilterForm, LibraryForm, OpeningHoursFormSet
from simpul.network.models import LibraryType
from simpul.web.htmx import is_htmx


def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    libraries = queries.search_directory(
        text=filters.get("q", ""),
        library_type=filters.get("type", ""),
        province=filters.get("province", ""),
    )
    page = Paginator(libraries, 24).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "provinces": queries.provinces(),
        "library_types": LibraryType.choices,
        "total": libraries.count(),
    }
    template = "network/_directory_results.html" if is_htmx(request) else "network/directory.html"
    return render(request, template, context)


def library_detail(request: HttpRequest, code: str) -> HttpResponse:
    library = queries.get_library(code)
    return render(
        request,
        "network/library_detail.html",
        {
            "library": library,
            "can_edit": permissions.can_edit_library(request.user, library),
            "can_view_staff_data": permissions.can_view_staff_data(request.user, library),
        },
    )


@login_required
def library_staff_page(request: HttpRequest, code: str) -> HttpResponse:
    library = queries.get_library_staff_view(request.user, code)
    patrons = None
    if permissions.can_see_patrons(request.user, library):
        patrons = account_queries.patrons_of(request.user, library)[:200]
    return render(
        request,
        "network/library_staff.html",
        {
            "library": library,
            "staff": account_queries.staff_of(request.user, library),
            "patrons": patrons,
            "can_manage_people": permissions.can_manage_people(request.user, library),
        },
    )


@login_required
def library_edit(request: HttpRequest, code: str) -> HttpResponse:
    library = queries.get_library(code)
    permissions.check_can_edit_library(request.user, library)
    editable = services.editable_fields_for(request.user)
    initial_hours = [
        {"weekday": p.weekday, "opens": p.opens, "closes": p.closes}
        for p in library.opening_hours.all()
    ]
    if request.method == "POST":
        form = LibraryForm(
            request.POST, request.FILES, instance=queries.get_library(code), editable=editable
        )
        hours = OpeningHoursFormSet(request.POST, prefix="hours", initial=initial_hours)
        if form.is_valid() and hours.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            periods = [
                (row["weekday"], row["opens"], row["closes"])
                for row in hours.cleaned_data
                if row and not row.get("DELETE")
            ]
            try:
                library = services.update_library(
                    request.user, library, changes, opening_hours=periods
                )
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The library's details were saved."))
                return redirect("network:library", code=library.code)
    else:
        form = LibraryForm(instance=library, editable=editable)
        hours = OpeningHoursFormSet(prefix="hours", initial=initial_hours)
    return render(
        request, "network/library_edit.html", {"library": library, "form": form, "hours": hours}
    )


def network_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "network/network.html",
        {"members": queries.search_directory(), "map_points": queries.map_points()},
    )
