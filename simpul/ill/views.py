"""Pages of interlibrary loan: a patron's request and list, the staff dashboard, a request's
page with the steps the viewer may take, the lending policy, and the copy download link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from simpul.accounts.forms import add_service_errors
from simpul.accounts.models import Role, User
from simpul.catalog.models import Cluster
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.ill import queries, services
from simpul.ill.models import (
    CopyDelivery,
    IllRequest,
    LendingClosure,
    LendingPolicy,
    ReasonUnfilled,
    ServiceType,
    Side,
    Status,
)
from simpul.ill.workflow import TRANSITIONS

COPYRIGHT_DECLARATION = gettext_lazy(
    "I declare that this copy is for my own study or research only, that I will not pass it "
    "on or publish it, and that I ask for no more than a reasonable part of the work (one "
    "article from a journal issue or one chapter of a book), as the Copyright Act "
    "(UU No. 28 Tahun 2014 tentang Hak Cipta) allows."
)

ACTION_LABELS = {
    "approve": gettext_lazy("Approve and send to a lender"),
    "ask_info": gettext_lazy("Ask the patron for information"),
    "supply_info": gettext_lazy("Send the information"),
    "reject": gettext_lazy("Reject"),
    "cancel": gettext_lazy("Cancel the request"),
    "expect_to_supply": gettext_lazy("Expect to supply"),
    "will_supply": gettext_lazy("Will supply"),
    "conditional": gettext_lazy("Supply on conditions"),
    "accept_conditions": gettext_lazy("Accept the conditions"),
    "cannot_supply": gettext_lazy("Cannot supply"),
    "ship": gettext_lazy("Shipped"),
    "deliver_copy": gettext_lazy("Deliver the copy"),
    "receive": gettext_lazy("Received"),
    "request_renewal": gettext_lazy("Ask for a renewal"),
    "answer_renewal": gettext_lazy("Answer the renewal"),
    "recall": gettext_lazy("Recall"),
    "ship_return": gettext_lazy("Return shipped"),
    "check_in": gettext_lazy("Return received"),
    "report_lost": gettext_lazy("Report lost"),
    "request": gettext_lazy("Request made"),
    "no_answer": gettext_lazy("No answer in time"),
    "next_lender": gettext_lazy("Sent to the next lender"),
    "mark_overdue": gettext_lazy("Overdue"),
}
NOTE_REQUIRED = {"reject", "ask_info", "conditional", "supply_info"}


class RequestForm(forms.Form):
    service = forms.ChoiceField(
        label=gettext_lazy("What do you need?"),
        choices=[
            (ServiceType.LOAN, gettext_lazy("Borrow the item")),
            (ServiceType.COPY, gettext_lazy("A copy of pages, a chapter or an article")),
        ],
        widget=forms.RadioSelect,
        initial=ServiceType.LOAN,
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=1000)
    author = forms.CharField(label=gettext_lazy("Author"), max_length=500, required=False)
    publisher = forms.CharField(label=gettext_lazy("Publisher"), max_length=500, required=False)
    year = forms.CharField(label=gettext_lazy("Year"), max_length=20, required=False)
    isbn = forms.CharField(label="ISBN", max_length=20, required=False)
    issn = forms.CharField(label="ISSN", max_length=20, required=False)
    doi = forms.CharField(label="DOI", max_length=255, required=False)
    article_title = forms.CharField(
        label=gettext_lazy("Article or chapter (for a copy)"), max_length=1000, required=False
    )
    pages = forms.CharField(
        label=gettext_lazy("Pages (for a copy)"), max_length=100, required=False
    )
    needed_by = forms.DateField(
        label=gettext_lazy("Needed by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the library"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    copyright = forms.BooleanField(label=COPYRIGHT_DECLARATION, required=False)

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["member_number"] = forms.CharField(
                label=gettext_lazy("Patron's member number (leave empty for the library itself)"),
                max_length=40,
                required=False,
            )

    def citation(self) -> services.Citation:
        data = self.cleaned_data
        return services.Citation(
            **{name: data.get(name) or "" for name in services.CITATION_FIELDS},
            needed_by=data.get("needed_by"),
            note=data.get("note") or "",
        )


@login_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    """A patron asks for a title from its catalogue page; staff may type any citation."""
    user: User = request.user  # type: ignore[assignment]
    staff = user.is_library_staff
    if not (staff or (user.is_patron and user.library_id)):
        return render(request, "ill/none.html", status=403)
    cluster = None
    if cluster_id := (request.GET.get("cluster") or request.POST.get("cluster") or "").strip():
        cluster = Cluster.objects.filter(pk=cluster_id if cluster_id.isdigit() else 0).first()
    initial: dict[str, Any] = {}
    if cluster is not None:
        initial = {k: v for k, v in vars(services.citation_from_cluster(cluster)).items() if v}
    form = RequestForm(request.POST or None, initial=initial, staff=staff)
    found = None
    if request.method == "POST" and form.is_valid():
        if "lookup" in request.POST:
            data = form.cleaned_data
            found = services.find_in_catalogue(data["isbn"], data["doi"], data["issn"])
            if found is None:
                messages.info(
                    request, _("Not in our union catalogue; the request can still go out.")
                )
        else:
            try:
                patron = _patron_for(user, form.cleaned_data.get("member_number") or "")
                made = services.create_request(
                    user,
                    form.cleaned_data["service"],
                    form.citation(),
                    cluster=cluster,
                    patron=patron,
                    copyright_accepted=form.cleaned_data["copyright"],
                )
            except InvalidInput as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your request %(n)s was sent to your library for review.")
                    % {"n": made.number},
                )
                return redirect("ill:detail", pk=made.pk)
    return render(
        request,
        "ill/new.html",
        {"form": form, "cluster": cluster, "found": found, "staff": staff},
    )


def _patron_for(user: User, member_number: str) -> User | None:
    if not member_number.strip() or not user.is_library_staff:
        return None
    patron = User.objects.filter(
        library=user.library, role=Role.PATRON, member_number=member_number.strip()
    ).first()
    if patron is None:
        raise InvalidInput({"member_number": [_("No patron of your library has this number.")]})
    return patron


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    rows = _labelled(list(queries.patron_requests(request.user)))
    return render(request, "ill/mine.html", {"rows": rows})


QUEUE_ROWS = 25  # the oldest first; the count says how many wait in all


def _labelled(rows: list[IllRequest]) -> list[IllRequest]:
    """Status and service labels looked up once per page, not once per row (each
    get_FOO_display translates every choice again, which dominates a long queue page)."""
    statuses = {value: str(label) for value, label in Status.choices}
    kinds = {value: str(label) for value, label in ServiceType.choices}
    link = reverse("ill:detail", args=[0]).removesuffix("0/")
    for row in rows:
        row.url = f"{link}{row.pk}/"  # type: ignore[attr-defined]
        row.status_label = statuses.get(row.status, row.status)  # type: ignore[attr-defined]
        row.service_label = kinds.get(row.service, row.service)  # type: ignore[attr-defined]
    return rows


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    library = queries.staff_library(request.user)
    if library is None:
        if getattr(request.user, "is_patron", False):
            return redirect("ill:mine")
        return render(request, "ill/none.html", status=403)
    queues = queries.queues(library)
    lists = {name: _labelled(list(rows[:QUEUE_ROWS])) for name, rows in queues.items()}
    counts = {
        name: len(lists[name]) if len(lists[name]) < QUEUE_ROWS else rows.count()
        for name, rows in queues.items()
    }
    status = "open" if request.GET.get("open") == "1" else ""
    return render(
        request,
        "ill/dashboard.html",
        {
            "library": library,
            "lists": lists,
            "counts": counts,
            "all": _labelled(list(queries.all_requests(library, status, QUEUE_ROWS))),
            "status": status,
            "show_open": status == "open",
        },
    )


def _steps_for(user: Any, ill: IllRequest) -> list[dict[str, Any]]:
    steps = []
    for action in TRANSITIONS:
        if TRANSITIONS[action].side == Side.SYSTEM or not services.may(user, ill, action):
            continue
        steps.append(
            {
                "action": action,
                "label": ACTION_LABELS[action],
                "needs_note": action in NOTE_REQUIRED,
            }
        )
    return steps


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ill = queries.request_for(request.user, pk)
    if ill is None:
        raise Http404
    reasons = dict(ReasonUnfilled.choices)
    history = [
        (message, ACTION_LABELS.get(message.action, message.action), reasons.get(message.reason))
        for message in ill.messages.select_related("actor", "library")
    ]
    delivery = CopyDelivery.objects.filter(request=ill).first()
    return render(
        request,
        "ill/detail.html",
        {
            "ill": ill,
            "history": history,
            "steps": _steps_for(request.user, ill),
            "sees_patron": services.sees_patron(request.user, ill)
            or getattr(request.user, "is_coordinator", False),
            "reasons": ReasonUnfilled.choices,
            "delivery": delivery,
            "rota": list(ill.rota.select_related("library")),
            "is_staff_view": getattr(request.user, "is_library_staff", False)
            or getattr(request.user, "is_coordinator", False),
        },
    )


@login_required
@require_POST
def step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one step; a refusal or a colleague's earlier step is shown, nothing is lost."""
    ill = queries.request_for(request.user, pk)
    if ill is None:
        raise Http404
    action = request.POST.get("action", "")
    note = request.POST.get("note", "").strip()[:4000]
    user = request.user
    try:
        if action not in TRANSITIONS or TRANSITIONS[action].side == Side.SYSTEM:
            raise InvalidInput(_("Unknown step."))
        if action == "approve":
            services.approve(user, ill, note)
        elif action == "reject":
            services.reject(user, ill, note)
        elif action == "ask_info":
            services.ask_info(user, ill, note)
        elif action == "conditional":
            services.conditional(user, ill, note, _decimal(request.POST.get("fee", "")))
        elif action == "cannot_supply":
            services.cannot_supply(user, ill, request.POST.get("reason", ""), note)
        elif action == "ship":
            services.ship(user, ill, _date(request.POST.get("due_on", "")), note)
        elif action == "answer_renewal":
            services.answer_renewal(
                user,
                ill,
                request.POST.get("renew") == "1",
                _date(request.POST.get("due_on", "")),
                note,
            )
        elif action == "deliver_copy":
            services.deliver_copy(user, ill, request.FILES.get("file"), note)
        else:
            if action == "supply_info" and not note:
                raise InvalidInput(_("Write the information your library asked for."))
            services.act(user, ill, action, note)
    except (InvalidInput, AccessDenied) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": ACTION_LABELS[action]})
    return redirect("ill:detail", pk=ill.pk)


def _date(raw: str) -> Any:
    import datetime as dt

    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput({"due_on": [_("Enter a valid date.")]}) from None


def _decimal(raw: str) -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(raw.strip() or "0")
    except InvalidOperation:
        raise InvalidInput({"fee": [_("Enter the fee as a number of rupiah.")]}) from None
    if value < 0 or value > 100_000_000:
        raise InvalidInput({"fee": [_("Enter the fee as a number of rupiah.")]})
    return value


@require_GET
def download_copy(request: HttpRequest, token: str) -> HttpResponseBase:
    """The patron's copy; the link stops working after its time or its number of downloads."""
    delivery = services.open_copy(token)
    if delivery is None:
        return render(request, "ill/copy_gone.html", status=410)
    return FileResponse(
        delivery.file.open("rb"), as_attachment=True, filename=delivery.file_name or "copy"
    )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = LendingPolicy
        fields = [
            "offers_loans",
            "offers_copies",
            "audience",
            "listed_libraries",
            "loan_days",
            "answer_days",
            "max_open_per_patron",
            "max_open_per_library",
            "loan_fee",
            "copy_fee",
            "fee_payer",
            "local_patrons_only_for_loans",
            "notes",
        ]
        widgets = {"listed_libraries": forms.CheckboxSelectMultiple}


class ClosureForm(forms.ModelForm):
    class Meta:
        model = LendingClosure
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end comes before the start."))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """The library's lending policy and closed periods, set by its own staff."""
    library = queries.staff_library(request.user)
    if library is None:
        return render(request, "ill/none.html", status=403)
    current = services.policy_for(library)
    form = PolicyForm(request.POST if "save_policy" in request.POST else None, instance=current)
    closure = ClosureForm(request.POST if "add_closure" in request.POST else None)
    if request.method == "POST":
        try:
            if "save_policy" in request.POST and form.is_valid():
                services.save_policy(request.user, library, form)
                messages.success(request, _("The lending policy was saved."))
                return redirect("ill:policy")
            if "add_closure" in request.POST and closure.is_valid():
                services.add_closure(request.user, library, closure.instance)
                messages.success(request, _("The closed period was added."))
                return redirect("ill:policy")
            if remove := request.POST.get("remove_closure", ""):
                services.remove_closure(
                    request.user, library, int(remove) if remove.isdigit() else 0
                )
                return redirect("ill:policy")
        except AccessDenied as exc:
            messages.error(request, str(exc))
    closures = LendingClosure.objects.filter(library=library)
    return render(
        request,
        "ill/policy.html",
        {"library": library, "form": form, "closure_form": closure, "closures": closures},
    )


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Network figures for staff and the coordinator; ?format=csv downloads them."""
    import datetime as dt

    from django.utils import timezone

    from simpul.ill import stats

    user = request.user
    if not (getattr(user, "is_library_staff", False) or getattr(user, "is_coordinator", False)):
        return render(request, "ill/none.html", status=403)
    today = timezone.localdate()
    errors = []
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        errors.append(_("Enter dates as YYYY-MM-DD; showing this year instead."))
        start, end = dt.date(today.year, 1, 1), today
    result = stats.figures(start, end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(stats.as_csv(result), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ill-{start}-{end}.csv"'
        return response
    return render(
        request,
        "ill/stats.html",
        {
            "result": result,
            "chart": stats.bars(result),
            "errors": errors,
            "start": start,
            "end": end,
        },
    )


@csrf_exempt  # another system's server posts here; it has no session
@require_POST
def iso18626_endpoint(request: HttpRequest) -> HttpResponse:
    """ISO 18626 over HTTP POST: every message gets a confirmation (OK or ERROR), never a page."""
    from simpul.ill import exchange

    answer = exchange.receive(request.body)
    return HttpResponse(answer, content_type="application/xml; charset=utf-8")
