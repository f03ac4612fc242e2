from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from simpul.accounts import services as account_services
from simpul.core.errors import InvalidInput
from simpul.network import queries as network_queries
from simpul.network.models import Library, LibraryType


def home(request: HttpRequest) -> HttpResponse:
    members = network_queries.search_directory()
    return render(
        request,
        "web/home.html",
        {
            "member_count": members.count(),
            "university_count": members.filter(
                library_type__in=[LibraryType.UNIVERSITY, LibraryType.INSTITUTE]
            ).count(),
            "recent_members": members.order_by("-joined_on", "name")[:6],
            "province_count": len(network_queries.provinces()),
            "partner_count": Library.objects.filter(
                is_active=True, library_type=LibraryType.CORNER
            ).count(),
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language, remember it in a cookie and, for a signed-in person, in their profile."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        return render(
            request,
            "web/error.html",
            {"title": _("Unknown language"), "message": _("This language is not available.")},
            status=400,
        )
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    if request.user.is_authenticated:
        try:
            account_services.set_preferred_language(request.user, language)
        except InvalidInput:
            pass
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    Library.objects.exists()
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = getattr(exception, "message", "") or _("You are not allowed to see this page.")
    return render(
        request, "web/error.html", {"title": _("Access refused"), "message": message}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) and "/" not in str(exception) else ""
    return render(
        request,
        "web/error.html",
        {
            "title": _("Page not found"),
            "message": message or _("There is no page at this address."),
        },
        status=404,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": _("Bad request"), "message": _("The request could not be understood.")},
        status=400,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": _("Something went wrong"),
            "message": _("The error was recorded. Please try again later."),
        },
        status=500,
    )
