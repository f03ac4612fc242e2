"""Library staff register where their records are harvested from, test the endpoint,
harvest on demand and read each harvest's history."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from simpul.accounts.backends import client_ip
from simpul.accounts.forms import add_service_errors
from simpul.catalog.readers.slims_ucs import MAX_BODY_BYTES
from simpul.core.errors import InvalidInput
from simpul.harvest import oai, queries, services, ucs
from simpul.harvest.models import HarvestSource, RunMode, UcsNode


class SourceForm(forms.ModelForm):
    library = forms.ChoiceField(label=gettext_lazy("Library"))

    class Meta:
        model = HarvestSource
        fields = [
            "name",
            "route",
            "base_url",
            "metadata_prefix",
            "set_spec",
            "schedule",
            "full_every_days",
            "enabled",
        ]
        help_texts = {
            "base_url": gettext_lazy(
                "OAI-PMH: the endpoint, e.g. https://lib.example.ac.id/oai.php (SLiMS), "
                "/cgi-bin/koha/oai.pl (Koha), /oai/request (DSpace), /cgi/oai2 (EPrints). "
                "SLiMS MODS search: the OPAC's index.php."
            ),
            "set_spec": gettext_lazy("Leave empty to harvest the whole repository."),
        }

    def __init__(self, *args: Any, libraries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        library = self.fields["library"]
        assert isinstance(library, forms.ChoiceField)
        library.choices = [(lib.code, lib.display_name) for lib in libraries]
        if self.instance.pk:
            library.initial = self.instance.library.code
            library.disabled = True
        elif len(libraries) == 1:  # shown, so staff see whose source it is, but fixed
            library.initial = libraries[0].code
            library.disabled = True
        self.order_fields(["library"])


def _library(form: SourceForm, libraries: list[Any]) -> Any:
    return next(lib for lib in libraries if lib.code == form.cleaned_data["library"])


@login_required
@require_http_methods(["GET", "POST"])
def source_list(request: HttpRequest) -> HttpResponse:
    libraries = queries.managed_libraries(request.user)
    if not libraries:
        return render(request, "harvest/none.html", status=403)
    form = SourceForm(request.POST or None, libraries=libraries)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SOURCE_FIELDS}
        try:
            source = services.save_source(request.user, _library(form, libraries), values)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The source was saved."))
            return redirect("harvest:source", pk=source.pk)
    sources = list(queries.sources_for(request.user))
    last = queries.last_runs(sources)
    rows = [(source, last.get(source.pk)) for source in sources]
    nodes = queries.ucs_nodes(libraries)
    return render(
        request,
        "harvest/list.html",
        {"form": form, "rows": rows, "nodes": nodes, "node_form": NodeForm(libraries=libraries)},
    )


class NodeForm(forms.Form):
    library = forms.ChoiceField(label=gettext_lazy("Library"))
    node_id = forms.CharField(
        label=gettext_lazy("Node ID"),
        max_length=36,
        help_text=gettext_lazy("The Server ID the library's SLiMS sends, e.g. slims-uniba."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)

    def __init__(self, *args: Any, libraries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        library = self.fields["library"]
        assert isinstance(library, forms.ChoiceField)
        library.choices = [(lib.code, lib.display_name) for lib in libraries]
        if len(libraries) == 1:
            library.initial = libraries[0].code


def _node_settings(request: HttpRequest, node: UcsNode, secret: str) -> HttpResponse:
    """The three values the library's SLiMS needs, the password shown this once."""
    address = request.build_absolute_uri("/").rstrip("/")
    return render(
        request, "harvest/ucs_node.html", {"node": node, "secret": secret, "address": address}
    )


@login_required
@require_POST
def add_node(request: HttpRequest) -> HttpResponse:
    libraries = queries.managed_libraries(request.user)
    if not libraries:
        raise Http404
    form = NodeForm(request.POST, libraries=libraries)
    if form.is_valid():
        library = next(lib for lib in libraries if lib.code == form.cleaned_data["library"])
        try:
            node, secret = ucs.register_node(
                request.user, library, form.cleaned_data["node_id"], form.cleaned_data["name"]
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            return _node_settings(request, node, secret)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect("harvest:sources")


def _node(request: HttpRequest, pk: int) -> UcsNode:
    libraries = queries.managed_libraries(request.user)
    node = UcsNode.objects.filter(pk=pk, library__in=libraries).select_related("library").first()
    if node is None:
        raise Http404
    return node


@login_required
@require_POST
def renew_node_password(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    return _node_settings(request, node, ucs.renew_password(request.user, node))


@login_required
@require_POST
def remove_node(request: HttpRequest, pk: int) -> HttpResponse:
    node = _node(request, pk)
    ucs.remove_node(request.user, node)
    messages.success(
        request,
        _("The node %(id)s can push no more; the records it brought stay.") % {"id": node.node_id},
    )
    return redirect("harvest:sources")


@csrf_exempt
@require_POST
def ucs_endpoint(request: HttpRequest) -> HttpResponseBase:
    """Where a SLiMS node pushes (ucs.php, ucpoll.php, uc-ops.php). The answer is streamed,
    so it goes out chunked: the HTTP client of older SLiMS reads every body as chunked."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        answer = {"status": "INVALID_DATA", "message": _("The request is too large.")}
        return JsonResponse(answer, status=413)
    answer = ucs.receive(request.body, client_ip(request))
    body = json.dumps(answer, ensure_ascii=False).encode()
    return StreamingHttpResponse(iter([body]), content_type="application/json")


@login_required
@require_http_methods(["GET", "POST"])
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = queries.source_for(request.user, pk)
    if source is None:
        raise Http404
    libraries = queries.managed_libraries(request.user)
    form = SourceForm(request.POST or None, instance=source, libraries=libraries)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SOURCE_FIELDS}
        try:
            services.save_source(request.user, source.library, values, source)
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The source was saved."))
            return redirect("harvest:source", pk=source.pk)
    return render(
        request,
        "harvest/detail.html",
        {"source": source, "form": form, "runs": queries.runs_of(source)},
    )


@login_required
@require_POST
def harvest_now(request: HttpRequest, pk: int) -> HttpResponse:
    source = queries.source_for(request.user, pk)
    if source is None:
        raise Http404
    mode = RunMode.FULL if request.POST.get("mode") == RunMode.FULL else ""
    services.start_harvest(request.user, source, mode)
    messages.success(
        request, _("The harvest is queued; the background worker runs it in a moment.")
    )
    return redirect("harvest:source", pk=source.pk)


class ProbeForm(forms.Form):
    base_url = forms.URLField(label=gettext_lazy("base URL"), max_length=500)


@login_required
@require_POST
def test_endpoint(request: HttpRequest) -> HttpResponse:
    """Identify, formats and sets of an endpoint, shown before the source is saved."""
    if not queries.managed_libraries(request.user):
        raise Http404
    form = ProbeForm(request.POST)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        try:
            context["description"] = services.test_source(form.cleaned_data["base_url"])
        except oai.HarvestError as error:
            context["failure"] = str(error)
    return render(request, "harvest/_test_result.html", context)
