"""The patron-facing union catalogue: search with facets, the title page, exports."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from simpul.catalog import queries
from simpul.catalog.exports import FORMATS, coins, schema_org
from simpul.catalog.exports._marc import breaker_text
from simpul.catalog.search import SearchIndexError, Sort
from simpul.web.htmx import is_htmx

logger = logging.getLogger(__name__)

# (facet in the engine's result, request parameter, heading)
FACET_GROUPS = (
    ("availability", "available", gettext_lazy("Availability")),
    ("library", "library", gettext_lazy("Held by")),
    ("format", "format", gettext_lazy("Format")),
    ("year", "year", gettext_lazy("Year")),
    ("language", "language", gettext_lazy("Language")),
    ("subject", "subject", gettext_lazy("Subject")),
)
SORTS = (
    (Sort.RELEVANCE, gettext_lazy("Relevance")),
    (Sort.YEAR_DESC, gettext_lazy("Newest first")),
    (Sort.YEAR_ASC, gettext_lazy("Oldest first")),
    (Sort.TITLE, gettext_lazy("Title A-Z")),
)
FACET_VALUES_SHOWN = 10
# The query language by example (the examples are syntax, so they stay untranslated).
SEARCH_HELP = (
    (
        ("sejarah pendidikan",),
        gettext_lazy("Every word must appear (in any field; word endings are matched)."),
    ),
    (('"sejarah pendidikan"',), gettext_lazy("A phrase: these words in this order.")),
    (
        ("hukum OR ekonomi",),
        gettext_lazy(
            "Either word. AND, OR and NOT may also be written DAN, ATAU and BUKAN (in capitals)."
        ),
    ),
    (("islam NOT sejarah",), gettext_lazy("Leave out titles with a word (or write -sejarah).")),
    (("pustak*",), gettext_lazy("Words that begin with these letters (at least three).")),
    (
        ("title:", "author:", "subject:"),
        gettext_lazy("Search one field, e.g. author:chabon or title:(hukum OR ekonomi)."),
    ),
    (("isbn:9786020000000",), gettext_lazy("Find an ISBN or ISSN, with or without hyphens.")),
    (("year:2010-2020",), gettext_lazy("Published in these years; also year:2015, year:>=2010.")),
)


def _link(params: queries.SearchParams, **changes: Any) -> str:
    items = params.as_items(**changes)
    return reverse("catalog:search") + (f"?{urlencode(items)}" if items else "")


def _facet_groups(page: queries.SearchPage) -> list[dict[str, Any]]:
    params = page.params
    groups = []
    for facet, parameter, heading in FACET_GROUPS:
        values = [
            {
                "label": value.label,
                "count": value.count,
                "selected": params.selected(parameter, value.value),
                "url": _link(params, toggle=(parameter, value.value)),
            }
            for value in page.facets.get(facet, [])
        ]
        if values:
            groups.append(
                {
                    "name": parameter,
                    "heading": heading,
                    "values": values[:FACET_VALUES_SHOWN],
                    "more": values[FACET_VALUES_SHOWN:],
                }
            )
    return groups


def _chosen_filters(params: queries.SearchParams) -> list[dict[str, str]]:
    """Each chosen filter with a link that removes it (shown even when it matches nothing)."""
    names = queries.library_names(params.libraries)
    chosen = [(_("Held by"), "library", v, names.get(v, v)) for v in params.libraries]
    chosen += [(_("Format"), "format", v, queries.format_label(v)) for v in params.formats]
    chosen += [(_("Language"), "language", v, queries.language_label(v)) for v in params.languages]
    chosen += [(_("Subject"), "subject", v, v) for v in params.subjects]
    if params.year:
        chosen.append((_("Year"), "year", params.year, queries.year_label(params.year)))
    if params.available:
        chosen.append((_("Availability"), "available", "1", _("Available now")))
    return [
        {"heading": str(heading), "label": label, "url": _link(params, toggle=(name, value))}
        for heading, name, value, label in chosen
    ]


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    params = queries.search_params(request.GET)
    context: dict[str, Any] = {
        "params": params,
        "sorts": [],
        "unavailable": False,
        "search_help": SEARCH_HELP,
    }
    try:
        page = queries.search_catalogue(params)
    except SearchIndexError:
        logger.exception("catalogue search failed")
        page = None
        context["unavailable"] = True
    if page is not None:
        result = page.result
        context.update(
            page=page,
            facet_groups=_facet_groups(page),
            chosen=_chosen_filters(params),
            clear_url=_link(queries.SearchParams(q=params.q, sort=params.sort)),
            sorts=[
                {"label": label, "url": _link(params, sort=sort), "current": sort == params.sort}
                for sort, label in SORTS
            ],
            spelling=[
                {"text": text, "url": _link(params, q=text, page=1)} for text in result.spelling
            ],
            broader=[
                {
                    "text": wider.text,
                    "total": wider.total,
                    "dropped": list(wider.dropped),
                    "url": _link(params, q=wider.text, page=1),
                }
                for wider in result.broader
            ],
            previous_url=_link(params, page=result.page - 1) if result.page > 1 else "",
            next_url=(_link(params, page=result.page + 1) if result.page < page.page_count else ""),
        )
    # A history restore asks as HTMX too, but wants the whole page.
    fragment = is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"
    template = "catalog/_results.html" if fragment else "catalog/search.html"
    response = render(request, template, context, status=503 if context["unavailable"] else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Completions of what is typed: <option>s for the search box's datalist, or JSON."""
    try:
        found = queries.suggestions(request.GET.get("q", ""))
    except SearchIndexError:
        found = []
    if is_htmx(request):
        return render(request, "catalog/_suggestions.html", {"suggestions": found})
    return JsonResponse({"suggestions": found})


def _permalink(request: HttpRequest, pk: int) -> str:
    return request.build_absolute_uri(reverse("catalog:record", args=[pk]))


def _subject_query(subject: str) -> str:
    words = " ".join(subject.replace('"', " ").split())
    return f'subject:"{words}"'


def _gone(request: HttpRequest, exc: Http404) -> HttpResponse:
    return render(request, "catalog/gone.html", {"message": str(exc)}, status=404)


@require_GET
def record(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = queries.get_cluster(pk)
    except queries.ClusterGone as exc:
        return _gone(request, exc)
    url = _permalink(request, pk)
    sources = [
        {"record": s.record, "reasons": s.reasons, "text": breaker_text(s.record)}
        for s in view.source_records_for(request.user)
    ]
    return render(
        request,
        "catalog/record.html",
        {
            "view": view,
            "best": view.best,
            "permalink": url,
            "sources": sources,
            "other_sources": len(view.records) - len(sources) if sources else 0,
            "formats": FORMATS.values(),
            "subjects": [
                (subject, _link(queries.SearchParams(q=_subject_query(subject))))
                for subject in view.subjects
            ],
            "decisions": queries.grouping_decisions(view.records) if sources else [],
            "json_ld": schema_org.script_text(view, url),
            "coins": coins.title_attribute(view, url),
        },
    )


@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise Http404(_("This export format is not offered."))
    try:
        view = queries.get_cluster(pk)
    except queries.ClusterGone as exc:
        return _gone(request, exc)
    body = chosen.render(view, _permalink(request, pk))
    text = not chosen.mime.endswith("marc")
    response = HttpResponse(
        body, content_type=f"{chosen.mime}; charset=utf-8" if text else chosen.mime
    )
    response["Content-Disposition"] = f'attachment; filename="{chosen.file_name(view)}"'
    return response


@require_GET
def member_record(request: HttpRequest, code: str, local_id: str) -> HttpResponse:
    """A member's record by its own identifier: on to the title it belongs to."""
    found = queries.get_member_record(code, local_id)
    if found.cluster_id is None:
        return _gone(request, queries.ClusterGone(_("This record is not in the catalogue now.")))
    return redirect("catalog:record", pk=found.cluster_id)
