"""HTTP faces of OAI-PMH and SRU: pass the arguments on, send back the XML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from simpul.protocols import oai, sru

XML = "text/xml; charset=utf-8"


def _pairs(request: HttpRequest) -> list[tuple[str, str]]:
    data = request.POST if request.method == "POST" else request.GET
    return [(name, value) for name, values in data.lists() for value in values]


@csrf_exempt  # harvesters POST form-encoded arguments (OAI-PMH 3.1.1.2); nothing changes
@require_http_methods(["GET", "POST"])
def oai_pmh(request: HttpRequest) -> HttpResponse:
    base_url = request.build_absolute_uri(request.path)
    return HttpResponse(oai.respond(_pairs(request), base_url), content_type=XML)


@csrf_exempt  # SRU allows POST (SRU 2.0 HTTP binding); nothing changes
@require_http_methods(["GET", "POST"])
def sru_endpoint(request: HttpRequest) -> HttpResponse:
    base_url = request.build_absolute_uri(request.path)
    status, body = sru.respond(_pairs(request), base_url)
    return HttpResponse(body, content_type=XML, status=status)
