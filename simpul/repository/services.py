"""Depositing, reviewing, publishing, correcting and withdrawing repository items, and who
may see and download them. Every change is written to the audit trail in the same
transaction, and files are written to storage only after every file was inspected; a
deposit that fails removes what it wrote, so nothing is ever half-stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.accounts.models import Role
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions
from simpul.network.models import Library, Network
from simpul.repository import audit, catalogue, clock, ingest
from simpul.repository.models import (
    AccessLevel,
    DepositPolicy,
    DownloadEvent,
    Item,
    ItemStatus,
    ItemVersion,
    PolicyKind,
    PolicyPage,
    StoredFile,
)

REVIEWER_ROLES = {Role.LIBRARY_ADMIN, Role.LIBRARIAN}
METADATA_FIELDS = (
    "item_type",
    "title",
    "authors",
    "advisors",
    "faculty",
    "programme",
    "year",
    "abstract_id",
    "abstract_en",
    "keywords",
    "language",
    "publisher",
    "licence",
    "access_level",
    "embargo_until",
)
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)
DOUBLE_CLICK_SECONDS = 30
ROBOTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|curl/|wget/|python-requests|"
    r"python-urllib|httpx|go-http-client|java/|libwww|scrapy|headlesschrome/.*lighthouse|"
    r"semrush|ahrefs|mj12|bingpreview|yandex|baiduspider|petalbot|googleother",
    re.IGNORECASE,
)

Upload = tuple[str, IO[bytes]]


# --- who may do what -------------------------------------------------------------------


def _person(actor: permissions.Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def is_reviewer(actor: permissions.Actor, library: Library) -> bool:
    """Librarians and administrators of the library, and the coordinator."""
    if permissions.is_coordinator(actor):
        return True
    person = _person(actor)
    return bool(person and person.library_id == library.pk and person.role in REVIEWER_ROLES)


def authors_may_deposit(library: Library) -> bool:
    policy = DepositPolicy.objects.filter(library=library).first()
    return bool(policy and policy.authors_may_deposit)


def can_deposit(actor: permissions.Actor, library: Library) -> bool:
    if is_reviewer(actor, library):
        return True
    person = _person(actor)
    return bool(
        person
        and person.role == Role.PATRON
        and person.library_id == library.pk
        and authors_may_deposit(library)
    )


def hosting_library() -> Library | None:
    network = Network.objects.select_related("coordinator").first()
    return network.coordinator if network else None


def check_can_deposit(actor: permissions.Actor, library: Library) -> None:
    if not can_deposit(actor, library):
        raise AccessDenied(
            _("Only librarians of %(library)s (and its authors, if it allows them) can deposit.")
            % {"library": library.code}
        )
    check_deposit_agreement(library)


def check_deposit_agreement(library: Library) -> None:
    """Hosted deposit needs an agreement with the coordinator library covering it."""
    host = hosting_library()
    if host is None or host.pk == library.pk:
        return
    from simpul.agreements.models import Service
    from simpul.agreements.services import is_service_allowed

    if not is_service_allowed(Service.REPOSITORY_DEPOSIT, library, host, clock.today()):
        raise AccessDenied(
            _(
                "%(library)s has no active agreement with %(host)s covering repository "
                "deposit, so it cannot deposit in the shared repository."
            )
            % {"library": library.code, "host": host.code}
        )


def can_view(actor: permissions.Actor, item: Item) -> bool:
    """Published and withdrawn items (the tombstone) are public; others are for their staff."""
    if item.status in (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN):
        return True
    person = _person(actor)
    return is_reviewer(actor, item.library) or bool(person and item.deposited_by_id == person.pk)


def embargo_over(item: Item) -> bool:
    return item.embargo_until is None or item.embargo_until <= clock.today()


def files_open_to_all(item: Item) -> bool:
    if item.status != ItemStatus.PUBLISHED:
        return False
    if item.access_level == AccessLevel.OPEN:
        return True
    return item.access_level == AccessLevel.EMBARGOED and embargo_over(item)


def can_download(actor: permissions.Actor, item: Item) -> bool:
    if item.status == ItemStatus.WITHDRAWN:
        return False
    if is_reviewer(actor, item.library):
        return True
    person = _person(actor)
    if item.status != ItemStatus.PUBLISHED:
        return bool(person and item.deposited_by_id == person.pk)
    if files_open_to_all(item):
        return True
    if item.access_level == AccessLevel.NETWORK_ONLY:
        return bool(person and person.library_id)
    return False


def access_explanation(item: Item) -> str:
    """Why the files cannot be had, in words for the public page."""
    if item.access_level == AccessLevel.EMBARGOED and not embargo_over(item):
        return _("The files are under embargo until %(date)s.") % {
            "date": item.embargo_until.isoformat() if item.embargo_until else ""
        }
    if item.access_level == AccessLevel.METADATA_ONLY:
        return _("Only the description is public; ask %(library)s for the files.") % {
            "library": item.library.display_name
        }
    if item.access_level == AccessLevel.NETWORK_ONLY:
        return _("The files are for members of the network: sign in with your library account.")
    return ""


def visible_items(actor: permissions.Actor) -> QuerySet[Item]:
    """Items a staff list may show this person: their library's, all for the coordinator."""
    items = Item.objects.select_related("library")
    if permissions.is_coordinator(actor):
        return items
    person = _person(actor)
    if person is None:
        return items.none()
    if person.role in REVIEWER_ROLES:
        return items.filter(library_id=person.library_id)
    return items.filter(deposited_by=person)


# --- metadata ----------------------------------------------------------------------------


def _check_plain_text(values: dict[str, Any]) -> None:
    """Markup and scripts in a description are refused, with the field named."""
    errors: dict[str, list[str]] = {}

    def check(name: str, text: object) -> None:
        if isinstance(text, str) and _MARKUP.search(text):
            errors.setdefault(name, []).append(
                _("Plain text only: HTML tags and scripts are not accepted here.")
            )

    for name in METADATA_FIELDS:
        value = values.get(name)
        if isinstance(value, list):
            for part in value:
                if isinstance(part, dict):
                    for text in part.values():
                        check(name, text)
                else:
                    check(name, part)
        else:
            check(name, value)
    if errors:
        raise InvalidInput(errors)


def _check_metadata(values: dict[str, Any]) -> None:
    _check_plain_text(values)
    errors: dict[str, list[str]] = {}
    if not values.get("title", "").strip():
        errors["title"] = [_("A title is needed.")]
    if not any(person.get("name") for person in values.get("authors", [])):
        errors["authors"] = [_("At least one author is needed.")]
    if not values.get("abstract_id", "").strip():
        errors["abstract_id"] = [_("An abstract in Indonesian is needed.")]
    if values.get("access_level") == AccessLevel.EMBARGOED and not values.get("embargo_until"):
        errors["embargo_until"] = [_("An embargoed item needs the date its embargo ends.")]
    if errors:
        raise InvalidInput(errors)
    if values.get("access_level") != AccessLevel.EMBARGOED:
        values["embargo_until"] = None


def _inspect_all(uploads: Sequence[Upload]) -> list[ingest.Inspected]:
    inspected = []
    problems = []
    for name, handle in uploads:
        try:
            inspected.append(ingest.inspect(name, handle))
        except ingest.FileRefused as refusal:
            problems.append(str(refusal))
    if problems:
        raise InvalidInput({"files": problems})
    return inspected


def _store_files(
    item: Item, uploads: Sequence[Upload], inspected: list[ingest.Inspected], written: list[str]
) -> list[StoredFile]:
    stored = []
    for (_name, handle), facts in zip(uploads, inspected, strict=True):
        name = ingest.store(item.pk, facts, handle)
        written.append(name)
        stored.append(
            StoredFile.objects.create(
                item=item,
                original_name=facts.name,
                storage_name=name,
                size=facts.size,
                mime_type=facts.mime_type,
                sha256=facts.sha256,
            )
        )
    return stored


def _full_text(item: Item, inspected: list[ingest.Inspected]) -> str:
    texts = [facts.text for facts in inspected if facts.text]
    return " ".join(texts)[: ingest.MAX_TEXT_CHARS]


def _snapshot(item: Item) -> dict[str, Any]:
    data = {name: getattr(item, name) for name in METADATA_FIELDS}
    if data["embargo_until"]:
        data["embargo_until"] = data["embargo_until"].isoformat()
    return data


def deposit(
    actor: permissions.Actor, library: Library, values: dict[str, Any], uploads: Sequence[Upload]
) -> Item:
    """A new item, submitted for review, with its files stored and checksummed."""
    check_can_deposit(actor, library)
    values = dict(values)
    _check_metadata(values)
    if not uploads and values.get("access_level") != AccessLevel.METADATA_ONLY:
        raise InvalidInput({"files": [_("Add at least one file (or choose description only).")]})
    inspected = _inspect_all(uploads)
    written: list[str] = []
    try:
        with transaction.atomic():
            item = Item(library=library, deposited_by=_person(actor), status=ItemStatus.SUBMITTED)
            for name in METADATA_FIELDS:
                setattr(item, name, values.get(name, getattr(item, name)))
            item.full_text = _full_text(item, inspected)
            item.save()
            files = _store_files(item, uploads, inspected, written)
            audit.record("deposit", item, actor, metadata=_snapshot(item))
            for stored in files:
                audit.record(
                    "file_added",
                    item,
                    actor,
                    file=stored.pk,
                    name=stored.original_name,
                    sha256=stored.sha256,
                    size=stored.size,
                    mime_type=stored.mime_type,
                )
    except BaseException:
        ingest.discard(written)
        raise
    return item


def update(
    actor: permissions.Actor,
    item: Item,
    values: dict[str, Any],
    uploads: Sequence[Upload] = (),
    *,
    remove_files: Sequence[int] = (),
    note: str = "",
) -> Item:
    """Change the description or files. A published item keeps its earlier version."""
    person = _person(actor)
    is_depositor = bool(person and item.deposited_by_id == person.pk)
    editable_by_depositor = item.status in (ItemStatus.SUBMITTED, ItemStatus.RETURNED)
    if not (is_reviewer(actor, item.library) or (is_depositor and editable_by_depositor)):
        raise AccessDenied(_("You cannot change this item."))
    if item.status == ItemStatus.WITHDRAWN:
        raise InvalidInput({"status": [_("A withdrawn item cannot be changed.")]})
    merged = _snapshot(item)
    merged.update(values)
    if isinstance(merged.get("embargo_until"), str):
        merged["embargo_until"] = dt.date.fromisoformat(merged["embargo_until"])
    _check_metadata(merged)
    _check_plain_text({"title": note})
    inspected = _inspect_all(uploads)
    written: list[str] = []
    try:
        with transaction.atomic():
            item = Item.objects.select_for_update().get(pk=item.pk)
            before = _snapshot(item)
            if item.status == ItemStatus.PUBLISHED:
                ItemVersion.objects.create(
                    item=item,
                    number=item.version,
                    metadata=before,
                    file_ids=list(item.live_files().values_list("pk", flat=True)),
                    note=note,
                    created_by=person,
                )
                item.version += 1
            for name in METADATA_FIELDS:
                setattr(item, name, merged[name])
            if item.status == ItemStatus.RETURNED and not is_reviewer(actor, item.library):
                item.status = ItemStatus.SUBMITTED
            files = _store_files(item, uploads, inspected, written)
            removed = list(item.files.filter(pk__in=list(remove_files), superseded_at__isnull=True))
            for stored in removed:
                stored.superseded_at = timezone.now()
                stored.save(update_fields=["superseded_at"])
            if files or removed:
                new_texts = {
                    stored.pk: facts.text for stored, facts in zip(files, inspected, strict=True)
                }
                pdfs = item.live_files().filter(mime_type="application/pdf")
                item.full_text = " ".join(
                    new_texts[pdf.pk] if pdf.pk in new_texts else _stored_text(pdf) for pdf in pdfs
                )[: ingest.MAX_TEXT_CHARS]
            item.save()
            changed = {
                name: {"from": before[name], "to": _snapshot(item)[name]}
                for name in METADATA_FIELDS
                if before[name] != _snapshot(item)[name]
            }
            audit.record("edit", item, actor, version=item.version, changes=changed, note=note)
            for stored in files:
                audit.record(
                    "file_added",
                    item,
                    actor,
                    file=stored.pk,
                    name=stored.original_name,
                    sha256=stored.sha256,
                    size=stored.size,
                    mime_type=stored.mime_type,
                )
            for stored in removed:
                audit.record(
                    "file_superseded", item, actor, file=stored.pk, name=stored.original_name
                )
            catalogue.sync(item)
    except BaseException:
        ingest.discard(written)
        raise
    catalogue.refresh_index()
    return item


def _stored_text(stored: StoredFile) -> str:
    with ingest.repository_storage().open(stored.storage_name, "rb") as handle:
        try:
            return ingest.pdf_text(stored.original_name, handle)
        except ingest.FileRefused:
            return ""


def review(actor: permissions.Actor, item: Item, decision: str, comment: str = "") -> Item:
    """The library's review: approve (reviewed) or return to the depositor with comments."""
    if not is_reviewer(actor, item.library):
        raise AccessDenied(
            _("Only librarians of %(library)s can review its deposits.")
            % {"library": item.library.code}
        )
    if item.status not in (ItemStatus.SUBMITTED, ItemStatus.REVIEWED):
        raise InvalidInput({"status": [_("Only submitted items can be reviewed.")]})
    _check_plain_text({"title": comment})
    with transaction.atomic():
        if decision == "approve":
            item.status = ItemStatus.REVIEWED
        elif decision == "return":
            if not comment.strip():
                raise InvalidInput(
                    {"comment": [_("Say what the depositor should change before returning it.")]}
                )
            item.status = ItemStatus.RETURNED
        else:
            raise InvalidInput({"decision": [_("Choose approve or return.")]})
        item.review_comment = comment
        item.save(update_fields=["status", "review_comment", "updated_at"])
        audit.record("review", item, actor, decision=decision, comment=comment)
    return item


def publish(actor: permissions.Actor, item: Item) -> Item:
    if not is_reviewer(actor, item.library):
        raise AccessDenied(
            _("Only librarians of %(library)s can publish its deposits.")
            % {"library": item.library.code}
        )
    if item.status != ItemStatus.REVIEWED:
        raise InvalidInput({"status": [_("An item is published after it has been reviewed.")]})
    with transaction.atomic():
        item.status = ItemStatus.PUBLISHED
        item.published_at = item.published_at or timezone.now()
        item.save(update_fields=["status", "published_at", "updated_at"])
        audit.record("publish", item, actor, version=item.version)
        catalogue.sync(item)
    catalogue.refresh_index()
    return item


def withdraw(actor: permissions.Actor, item: Item, reason: str) -> Item:
    """Take an item out of the repository; its page stays as a tombstone with the reason."""
    if not is_reviewer(actor, item.library):
        raise AccessDenied(
            _("Only librarians of %(library)s can withdraw its items.")
            % {"library": item.library.code}
        )
    if not reason.strip():
        raise InvalidInput(
            {"reason": [_("Give the reason for the withdrawal; it is shown publicly.")]}
        )
    _check_plain_text({"title": reason})
    if item.status == ItemStatus.WITHDRAWN:
        raise InvalidInput({"status": [_("This item is already withdrawn.")]})
    with transaction.atomic():
        was_published = item.status == ItemStatus.PUBLISHED
        item.status = ItemStatus.WITHDRAWN
        item.withdrawal_reason = reason.strip()
        item.withdrawn_at = timezone.now()
        item.save(update_fields=["status", "withdrawal_reason", "withdrawn_at", "updated_at"])
        audit.record("withdraw", item, actor, reason=item.withdrawal_reason)
        if was_published:
            catalogue.sync(item)
    catalogue.refresh_index()
    return item


def set_deposit_policy(actor: permissions.Actor, library: Library, authors: bool) -> DepositPolicy:
    permissions.check_can_edit_library(actor, library)
    policy, _created = DepositPolicy.objects.update_or_create(
        library=library, defaults={"authors_may_deposit": authors}
    )
    return policy


# --- downloads -----------------------------------------------------------------------------


def is_robot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(ROBOTS.search(user_agent))


def client_key(address: str, user_agent: str) -> str:
    """Who downloaded, as a hash only (privacy policy: no addresses are kept)."""
    return hashlib.sha256(f"{address}|{user_agent}".encode()).hexdigest()


def record_download(stored: StoredFile, address: str, user_agent: str) -> DownloadEvent:
    """Note a download; robots and a repeat within 30 seconds are kept but not counted."""
    now = timezone.now()
    key = client_key(address, user_agent)
    repeated = DownloadEvent.objects.filter(
        file=stored, client_key=key, at__gte=now - dt.timedelta(seconds=DOUBLE_CLICK_SECONDS)
    ).exists()
    item = stored.item
    return DownloadEvent.objects.create(
        file=stored,
        item=item,
        library_id=item.library_id,
        at=now,
        month=now.date().replace(day=1),
        client_key=key,
        counted=not (repeated or is_robot(user_agent)),
    )


def download_count(item: Item) -> int:
    return DownloadEvent.objects.filter(item=item, counted=True).count()


@dataclass
class MonthCount:
    month: dt.date
    library: str
    downloads: int


def download_statistics(
    actor: permissions.Actor, library: Library | None = None
) -> list[MonthCount]:
    """Counted downloads per library and month; a library's staff see their own."""
    events = DownloadEvent.objects.filter(counted=True)
    if library is not None:
        permissions.check_can_view_staff_data(actor, library)
        events = events.filter(library=library)
    else:
        permissions.check_is_coordinator(actor)
    rows = (
        events.annotate(period=TruncMonth("at"))
        .values("period", "library__code")
        .annotate(total=Count("pk"))
        .order_by("-period", "library__code")
    )
    return [
        MonthCount(
            month=row["period"].date() if isinstance(row["period"], dt.datetime) else row["period"],
            library=row["library__code"],
            downloads=row["total"],
        )
        for row in rows
    ]


# --- policies ------------------------------------------------------------------------------


def save_policy(actor: permissions.Actor, kind: str, body_id: str, body_en: str) -> PolicyPage:
    permissions.check_is_coordinator(actor)
    if kind not in PolicyKind.values:
        raise InvalidInput({"kind": [_("Unknown policy.")]})
    _check_plain_text({"title": body_id, "abstract_id": body_en})
    if not body_id.strip() or not body_en.strip():
        raise InvalidInput({"body_id": [_("Write the policy in both languages.")]})
    page, _created = PolicyPage.objects.update_or_create(
        kind=kind,
        defaults={
            "body_id": body_id.strip(),
            "body_en": body_en.strip(),
            "updated_at": timezone.now(),
            "updated_by": _person(actor),
        },
    )
    audit.record("policy_changed", None, actor, policy=kind)
    return page
