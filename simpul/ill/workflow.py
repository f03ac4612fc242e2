"""The transition table: which step each side may take from which status, and where it leads.

Kept as data so that tests can walk every allowed and every forbidden pair, and so the
ISO 18626 endpoint can map incoming messages onto the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from simpul.ill.models import Side, Status

S = Status


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    side: str  # who may take it: requester (home library staff), patron, supplier, system


def _t(action: str, sources: set[str], target: str, side: str) -> Transition:
    return Transition(action, frozenset(sources), target, side)


ON_LOAN: set[str] = {S.RECEIVED, S.OVERDUE, S.RENEW_PENDING, S.RECALLED}
UNANSWERED: set[str] = {S.REQUEST_RECEIVED, S.EXPECT_TO_SUPPLY, S.CONDITIONAL, S.WILL_SUPPLY}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # Review at the home library (local, before ISO 18626 starts).
        _t("ask_info", {S.SUBMITTED}, S.INFO_REQUESTED, Side.REQUESTER),
        _t("supply_info", {S.INFO_REQUESTED}, S.SUBMITTED, Side.PATRON),
        _t("reject", {S.SUBMITTED, S.INFO_REQUESTED}, S.REJECTED, Side.REQUESTER),
        _t("approve", {S.SUBMITTED}, S.REQUEST_RECEIVED, Side.REQUESTER),
        _t("cancel", {S.SUBMITTED, S.INFO_REQUESTED} | UNANSWERED, S.CANCELLED, Side.REQUESTER),
        # The supplying library answers (ISO 18626 SupplyingAgencyMessage).
        _t("expect_to_supply", {S.REQUEST_RECEIVED}, S.EXPECT_TO_SUPPLY, Side.SUPPLIER),
        _t("will_supply", {S.REQUEST_RECEIVED, S.EXPECT_TO_SUPPLY}, S.WILL_SUPPLY, Side.SUPPLIER),
        _t("conditional", {S.REQUEST_RECEIVED, S.EXPECT_TO_SUPPLY}, S.CONDITIONAL, Side.SUPPLIER),
        _t("accept_conditions", {S.CONDITIONAL}, S.WILL_SUPPLY, Side.REQUESTER),
        _t("cannot_supply", UNANSWERED, S.UNFILLED, Side.SUPPLIER),
        _t("no_answer", {S.REQUEST_RECEIVED, S.EXPECT_TO_SUPPLY}, S.UNFILLED, Side.SYSTEM),
        _t("next_lender", {S.UNFILLED}, S.REQUEST_RECEIVED, Side.SYSTEM),
        _t("ship", {S.WILL_SUPPLY}, S.LOANED, Side.SUPPLIER),
        _t("deliver_copy", {S.WILL_SUPPLY}, S.COPY_COMPLETED, Side.SUPPLIER),
        _t("recall", ON_LOAN - {S.RECALLED}, S.RECALLED, Side.SUPPLIER),
        _t("answer_renewal", {S.RENEW_PENDING}, S.RECEIVED, Side.SUPPLIER),
        _t("check_in", {S.RETURN_SHIPPED}, S.LOAN_COMPLETED, Side.SUPPLIER),
        # The requesting library while the item is with it (ISO 18626 RequestingAgencyMessage).
        _t("receive", {S.LOANED}, S.RECEIVED, Side.REQUESTER),
        _t("request_renewal", {S.RECEIVED, S.OVERDUE}, S.RENEW_PENDING, Side.REQUESTER),
        _t("ship_return", ON_LOAN, S.RETURN_SHIPPED, Side.REQUESTER),
        _t("mark_overdue", {S.LOANED, S.RECEIVED}, S.OVERDUE, Side.SYSTEM),
        _t(
            "report_lost",
            {S.LOANED, S.RETURN_SHIPPED} | ON_LOAN,
            S.COMPLETED_WITHOUT_RETURN,
            Side.SUPPLIER,
        ),
    ]
}

# Steps the patron may take on their own request besides their side's steps.
PATRON_MAY = frozenset({"supply_info", "cancel", "request_renewal"})
LOAN_ONLY = frozenset(
    {"ship", "receive", "request_renewal", "answer_renewal", "recall", "ship_return", "check_in"}
)
LOAN_ONLY |= frozenset({"mark_overdue", "report_lost"})
COPY_ONLY = frozenset({"deliver_copy"})


def allowed(action: str, status: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources


def actions_from(status: str) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if status in t.sources]
