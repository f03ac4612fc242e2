"""Library staff register where their records are harvested from, test the endpoint,
harvest on demand and read each harvest's history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from simpul.accounts.forms import add_service_errors
from simpul.core.errors import InvalidInput
from simpul.harvest import oai, queries, services
from simpul.harvest.models import HarvestSource, RunMode


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
    return render(request, "harvest/list.html", {"form": form, "rows": rows})


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
