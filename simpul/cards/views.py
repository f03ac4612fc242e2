"""Pages of member cards and visits: thin, every decision is in services."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from simpul.accounts.forms import add_service_errors
from simpul.accounts.models import User
from simpul.cards import printing, services
from simpul.cards.forms import (
    AnswerForm,
    ApplicationForm,
    DeskForm,
    PeriodForm,
    PolicyForm,
    ReasonForm,
    RulesForm,
    VisitForm,
)
from simpul.cards.models import CardPolicy, CardStatus, MemberCard, Visit, VisitRules
from simpul.catalog.models import Cluster
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network.models import Library, Network


def _person(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _staff_library(request: HttpRequest) -> Library:
    """The library a staff page is about: one's own, or any for the coordinator (?library=)."""
    person = _person(request)
    code = request.GET.get("library", "").strip().upper()
    if code and person.is_coordinator:
        return get_object_or_404(Library, code=code)
    if person.library is None or not (person.is_library_staff or person.is_coordinator):
        raise AccessDenied(_("This page is for library staff."))
    return person.library


def _network_name() -> str:
    network = Network.objects.first()
    return network.display_name if network else "Simpul"


# The patron's card ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_card(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if not person.is_patron:
        return redirect("cards:library")
    card = services.current_card(person)
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and card is None and form.is_valid():
        try:
            card = services.apply_for_card(
                person, form.cleaned_data["photo"], form.cleaned_data["note"]
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            if card.status == CardStatus.ACTIVE:
                messages.success(request, _("Your network member card has been issued."))
            else:
                messages.success(
                    request, _("Your application was sent; your library will verify it.")
                )
            return redirect("cards:mine")
    context: dict[str, Any] = {
        "card": card,
        "form": form,
        "last": MemberCard.objects.filter(holder=person).exclude(pk=card.pk if card else 0).first(),
    }
    if card and card.status == CardStatus.ACTIVE:
        context["qr"] = printing.qr_svg(services.token_for(card))
        context["expired"] = card.is_expired(services.local_today())
    return render(request, "cards/mine.html", context)


@login_required
def card_pdf(request: HttpRequest) -> HttpResponse:
    card = services.current_card(_person(request))
    if card is None or card.status != CardStatus.ACTIVE:
        raise Http404
    pdf = printing.card_pdf(card, services.token_for(card), _network_name())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="card-{card.number}.pdf"'
    return response


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A holder's photo: for the holder, their home library, and the staff of a library
    the holder has visited or announced a visit to (who compare it at the desk)."""
    card = get_object_or_404(MemberCard.objects.select_related("home_library"), pk=pk)
    if not card.photo or not services.can_see_photo(request.user, card):
        raise Http404
    response = HttpResponse(bytes(card.photo), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# The home library's cards ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def library_cards(request: HttpRequest) -> HttpResponse:
    library = _staff_library(request)
    person = _person(request)
    if not services.can_manage_cards(person, library):
        return redirect("cards:desk")
    cards = list(services.cards_of_library(person, library))
    policy_form = None
    if person.is_coordinator:
        policy = CardPolicy.current()
        policy_form = PolicyForm(
            request.POST or None,
            initial={"auto_issue": policy.auto_issue, "validity_months": policy.validity_months},
        )
        if request.method == "POST" and policy_form.is_valid():
            services.save_policy(person, **policy_form.cleaned_data)
            messages.success(request, _("The network's card rules were saved."))
            return redirect(request.get_full_path())
    return render(
        request,
        "cards/library.html",
        {
            "library": library,
            "applications": [c for c in cards if c.status == CardStatus.APPLIED],
            "cards": [c for c in cards if c.status != CardStatus.APPLIED],
            "today": services.local_today(),
            "policy_form": policy_form,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def manage_card(request: HttpRequest, pk: int) -> HttpResponse:
    card = services.card_for_staff(request.user, pk)
    if card is None:
        raise Http404
    action = request.POST.get("action", "")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done = {
        "issue": _("The card %(number)s was issued."),
        "refuse": _("The application was refused."),
        "suspend": _("The card %(number)s was suspended."),
        "reinstate": _("The card %(number)s is active again."),
        "revoke": _("The card %(number)s was revoked."),
        "renew": _("The card %(number)s was renewed."),
    }
    try:
        if action == "issue":
            services.issue_card(request.user, card)
        elif action == "refuse":
            services.refuse_application(request.user, card, reason)
        elif action == "suspend":
            services.suspend_card(request.user, card, reason)
        elif action == "reinstate":
            services.reinstate_card(request.user, card)
        elif action == "revoke":
            services.revoke_card(request.user, card, reason)
        elif action == "renew":
            services.renew_card(request.user, card)
        else:
            raise InvalidInput(_("Unknown action."))
    except InvalidInput as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done[action] % {"number": card.number})
    url = redirect("cards:library").url
    if _person(request).is_coordinator:
        url += f"?library={card.home_library.code}"
    return redirect(url)


# Visit rules ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_rules(request: HttpRequest) -> HttpResponse:
    library = _staff_library(request)
    rules = VisitRules.objects.filter(library=library).first() or services.rules_for(library)
    form = RulesForm(request.POST or None, instance=rules, host=library)
    if rules.pk:
        form.initial["listed_libraries"] = list(rules.listed_libraries.all())
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        try:
            services.save_rules(
                request.user, library, values, form.cleaned_data["listed_libraries"]
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The visit rules were saved."))
            return redirect(request.get_full_path())
    return render(request, "cards/rules.html", {"form": form, "library": library})


# The patron's visits --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_visits(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if not person.is_patron:
        return redirect("cards:expected")
    hosts = services.host_libraries_for(person)
    initial: dict[str, Any] = {"titles": _title_link(request, request.GET.get("title", ""))}
    wanted = request.GET.get("host", "")
    initial["host_library"] = next((h.pk for h in hosts if h.code == wanted), None)
    form = VisitForm(request.POST or None, hosts=hosts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.preregister(
                person,
                form.cleaned_data["host_library"],
                form.cleaned_data["date"],
                form.cleaned_data["purpose"],
                form.cleaned_data["titles"],
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your visit is registered; the host library will answer."))
            return redirect("cards:visits")
    card = services.current_card(person)
    rules = {rule.library_id: rule for rule in VisitRules.objects.filter(library__in=hosts)}
    return render(
        request,
        "cards/visits.html",
        {
            "form": form,
            "card": card,
            "visits": services.visits_of(person),
            "hosts": [(host, rules.get(host.pk) or services.rules_for(host)) for host in hosts],
        },
    )


def _title_link(request: HttpRequest, wanted: str) -> str:
    """A title's address in the union catalogue, which the patron recognises (a bare number
    is what the form also accepts, but says nothing to a person)."""
    if not wanted.isdigit() or not Cluster.objects.filter(pk=int(wanted)).exists():
        return ""
    return request.build_absolute_uri(reverse("catalog:record", args=[int(wanted)]))


@login_required
@require_POST
def cancel_visit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit, pk=pk, visitor=request.user)
    try:
        services.cancel_visit(request.user, visit)
    except InvalidInput as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The visit was cancelled."))
    return redirect("cards:visits")


# The host library -----------------------------------------------------------------------------


@login_required
def expected(request: HttpRequest) -> HttpResponse:
    library = _staff_library(request)
    form = PeriodForm(request.GET or None)
    start = services.local_today(services.rules_for(library).time_zone)
    if request.GET.get("start"):
        if form.is_valid():
            start = form.cleaned_data["start"]
        else:
            messages.error(request, _("Enter a valid date."))
    days: dict[dt.date, list[Visit]] = defaultdict(list)
    for visit in services.expected_visits(request.user, library, start):
        days[visit.date].append(visit)
    return render(
        request,
        "cards/expected.html",
        {
            "library": library,
            "start": start,
            "days": sorted(days.items()),
            "answer_form": AnswerForm(),
        },
    )


@login_required
@require_POST
def answer_visit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = services.visit_for_host(request.user, pk)
    if visit is None:
        raise Http404
    form = AnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else ""
    try:
        services.answer_visit(request.user, visit, request.POST.get("confirm") == "1", answer)
    except InvalidInput as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The visitor has been answered."))
    return redirect("cards:expected")


@login_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    library = _staff_library(request)
    services.check_can_host(request.user, library)
    form = DeskForm(request.POST or None)
    context: dict[str, Any] = {"library": library, "form": form}
    if request.method == "POST" and form.is_valid():
        context["result"] = services.check_in(
            request.user,
            library,
            number=form.cleaned_data["number"],
            token=form.cleaned_data["token"],
        )
    template = "cards/_desk_result.html" if request.headers.get("HX-Request") else "cards/desk.html"
    return render(request, template, context)


@login_required
def desk_sync(request: HttpRequest) -> JsonResponse:
    library = _staff_library(request)
    return JsonResponse(services.desk_sync(request.user, library))


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    today = services.local_today()
    form = PeriodForm(request.GET or None)
    start, end = today.replace(month=1, day=1), today
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not request.GET:
        form = PeriodForm(initial={"start": start, "end": end})
    rows = services.visit_statistics(request.user, start, end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="visits-{start}-{end}.csv"'
        writer = csv.writer(response)
        writer.writerow(["home_library", "host_library", "visits", "from", "to"])
        for home, host, count in rows:
            writer.writerow([home, host, count, start.isoformat(), end.isoformat()])
        return response
    received: dict[str, int] = defaultdict(int)
    made: dict[str, int] = defaultdict(int)
    for home, host, count in rows:
        received[host] += count
        made[home] += count
    libraries = sorted(set(received) | set(made))
    return render(
        request,
        "cards/statistics.html",
        {
            "form": form,
            "rows": rows,
            "totals": [(code, received[code], made[code]) for code in libraries],
            "start": start,
            "end": end,
        },
    )
