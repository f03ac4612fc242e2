"""A page a person can read for "405 Method Not Allowed", which Django sends with no body."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class MethodNotAllowedPage:
    """Give an empty 405 to a browser as the site's translated error page (the Allow header
    stays); API and protocol clients, which do not ask for HTML, keep the bare answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.content
            or "text/html" not in request.headers.get("Accept", "")
        ):
            return response
        page = render(
            request,
            "web/error.html",
            {
                "title": _("Not possible this way"),
                "message": _(
                    "This address does not accept a %(method)s request. Use the buttons and "
                    "links on the site's pages."
                )
                % {"method": request.method},
            },
            status=405,
        )
        if allowed := response.get("Allow"):
            page["Allow"] = allowed
        return page
