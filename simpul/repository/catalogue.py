"""Published items in the union catalogue: one catalogue record per item, kept in step.

Publishing writes the item's Dublin Core through the catalogue's own import
(`imports.apply_batch`), so it is clustered, indexed and harvested like any member's
record, with the format "repository". The PDF text is not stored in the record: the
catalogue asks this module for it when it indexes (`full_texts`), so it is searchable
but never displayed.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from simpul.catalog.bibliographic import (
    BibRecord,
    ItemStatus,
    MaterialType,
    SourceFormat,
)
from simpul.catalog.bibliographic import (
    Item as Copy,
)
from simpul.catalog.models import ImportJob, JobStatus
from simpul.catalog.services import imports, indexing
from simpul.repository.models import AccessLevel, Item
from simpul.repository.models import ItemStatus as State

ORIGIN = "repository"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_TYPES = {
    "skripsi": "Thesis (skripsi)",
    "thesis": "Thesis",
    "dissertation": "Dissertation",
    "final_project": "Final project (tugas akhir)",
    "article": "Article",
    "report": "Report",
    "book_chapter": "Book chapter",
    "dataset": "Dataset",
}


def local_id(item: Item) -> str:
    return f"repository:{item.pk}"


def item_url(item: Item) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("repository:item", args=[item.pk])


def dublin_core(item: Item) -> etree._Element:
    """The item as simple Dublin Core (oai_dc), the lingua franca of repositories."""
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS})

    def add(name: str, value: object) -> None:
        if value not in (None, ""):
            etree.SubElement(root, f"{{{DC_NS}}}{name}").text = str(value)

    add("title", item.title)
    for person in item.authors:
        add("creator", person.get("name"))
    for person in item.advisors:
        add("contributor", person.get("name"))
    for keyword in item.keywords:
        add("subject", keyword)
    add("description", item.abstract_id)
    add("description", item.abstract_en)
    add("publisher", item.publisher or item.library.name)
    add("date", item.year)
    add("type", DC_TYPES.get(item.item_type, item.item_type))
    for stored in item.live_files():
        add("format", stored.mime_type)
    add("identifier", item_url(item))
    add("language", item.language)
    add("rights", item.licence_url or item.get_licence_display())
    add("rights", access_rights(item))
    if item.access_level == AccessLevel.EMBARGOED and item.embargo_until:
        add("date", f"info:eu-repo/date/embargoEnd/{item.embargo_until.isoformat()}")
    if item.faculty or item.programme:
        add("source", " / ".join(part for part in (item.faculty, item.programme) if part))
    return root


def access_rights(item: Item) -> str:
    """The OpenAIRE access term for the item as it stands today (it changes when an
    embargo ends, so the catalogue record is rewritten then)."""
    from simpul.repository.services import files_open_to_all

    if files_open_to_all(item):
        return "info:eu-repo/semantics/openAccess"
    if item.access_level == AccessLevel.EMBARGOED:
        return "info:eu-repo/semantics/embargoedAccess"
    if item.access_level == AccessLevel.NETWORK_ONLY:
        return "info:eu-repo/semantics/restrictedAccess"
    return "info:eu-repo/semantics/closedAccess"


def to_bib(item: Item) -> BibRecord:
    from simpul.repository.services import files_open_to_all

    raw = etree.tostring(dublin_core(item), encoding="utf-8")
    status = ItemStatus.AVAILABLE if files_open_to_all(item) else ItemStatus.REFERENCE
    return BibRecord(
        local_id=local_id(item),
        source_format=SourceFormat.OAI_DC,
        raw=raw,
        title=item.title,
        authors=item.author_names + item.advisor_names,
        publisher=item.publisher or item.library.name,
        year=item.year,
        languages=[item.language],
        material_type=MaterialType.REPOSITORY,
        subjects=list(item.keywords),
        summary=item.abstract_id or item.abstract_en,
        urls=[item_url(item)],
        items=[Copy(library_code=item.library.code, status=status, url=item_url(item))],
        deleted=item.status == State.WITHDRAWN,
    )


def sync(item: Item) -> None:
    """Bring the item's catalogue record in line (published: present; withdrawn: deleted)."""
    if item.status not in (State.PUBLISHED, State.WITHDRAWN):
        return
    now = timezone.now()
    job = ImportJob.objects.create(
        library=item.library,
        file_name=f"Repository: {item.title}"[:255],
        source_format=SourceFormat.OAI_DC.value,
        status=JobStatus.SUCCEEDED,
        started_at=now,
        finished_at=now,
    )
    imports.apply_batch(job, [to_bib(item)], imports.JobMemory(), ORIGIN)
    job.message = imports.summary_text(job)
    job.save()
    record = job.library.records.filter(origin=ORIGIN, local_id=local_id(item)).first()
    if record is not None and item.catalogue_record_id != record.pk:
        Item.objects.filter(pk=item.pk).update(catalogue_record=record)
        item.catalogue_record = record


def refresh_index() -> None:
    try:
        indexing.apply_search_changes()
    except Exception:  # the worker's indexer catches up; publishing must not fail for it
        import logging

        logging.getLogger(__name__).exception("search index not updated after publishing")


def full_texts(record_ids: list[int]) -> dict[int, str]:
    """Text of published items' PDFs, by catalogue record, for the search index."""
    with_text = Item.objects.filter(status=State.PUBLISHED).exclude(full_text="")
    if not with_text.exists():  # most sites, and every member's catalogue import
        return {}
    rows = with_text.filter(catalogue_record_id__in=record_ids).values_list(
        "catalogue_record_id", "full_text"
    )
    return {record_id: text for record_id, text in rows if record_id is not None}


def open_ended_embargoes() -> int:
    """Show as available in the catalogue the items whose embargo ended; the worker's
    scheduler calls it, so the catalogue's availability follows the calendar."""
    from simpul.catalog.bibliographic import ItemStatus as CopyStatus
    from simpul.repository import clock

    due = (
        Item.objects.filter(
            status=State.PUBLISHED,
            access_level=AccessLevel.EMBARGOED,
            embargo_until__lte=clock.today(),
            catalogue_record__isnull=False,
        )
        .exclude(catalogue_record__holdings__status=CopyStatus.AVAILABLE)
        .select_related("library")
    )
    opened = 0
    for item in due:
        sync(item)
        opened += 1
    if opened:
        refresh_index()
    return opened
