"""Registering harvest sources and harvesting them into the union catalogue.

A harvest writes through the catalogue's own import (`imports.apply_batch`), page by
page, each batch in one transaction: a harvest stopped half-way leaves whole batches,
and the next harvest starts again from the last complete one's date, so nothing is
lost and, since unchanged records are recognised by their hash, nothing is doubled.
A full harvest withdraws the records the endpoint no longer lists, which is how
deletions are found at endpoints that never report them (SLiMS).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.models import ImportJob, ImportMode, JobStatus
from simpul.catalog.readers import WholeDocument, parsed_whole, read_records
from simpul.catalog.services import imports, index_follower, indexing, reading
from simpul.core import garbage
from simpul.core.errors import InvalidInput
from simpul.harvest import adjusters, oai
from simpul.harvest.models import (
    SCHEDULE_INTERVALS,
    HarvestRun,
    HarvestSource,
    MetadataPrefix,
    Quirk,
    Route,
    RunMode,
    Schedule,
)
from simpul.network import permissions
from simpul.network.models import Library

logger = logging.getLogger(__name__)

FORMATS = {
    MetadataPrefix.OAI_DC: SourceFormat.OAI_DC,
    MetadataPrefix.MARC21: SourceFormat.MARCXML,
    MetadataPrefix.MARCXML: SourceFormat.MARCXML,
    MetadataPrefix.MODS: SourceFormat.MODS,
}
MAX_PAGES = 100_000  # a runaway endpoint (a token that never ends) is stopped
MAX_SLIMS_PAGES = 50_000
SOURCE_FIELDS = (
    "name",
    "route",
    "base_url",
    "metadata_prefix",
    "set_spec",
    "schedule",
    "full_every_days",
    "enabled",
)
ClientFactory = Callable[[str], oai.Client]
# A list of more records than this is read ahead in a second process (reading.PageReader),
# page by page, if a page is no larger than READ_AHEAD_PAGE (larger ones are read here).
READ_AHEAD_RECORDS = 1000
READ_AHEAD_PAGE = 32 * 1024**2


def _document_of(page: oai.Page) -> IO[bytes]:
    """A page of usual size goes to the readers whole (see `WholeDocument`)."""
    page.body.seek(0)
    if not parsed_whole(page.size):
        return page.body
    return WholeDocument(page.body.read())


def check_can_manage_sources(actor: permissions.Actor, library: Library) -> None:
    permissions.check_can_edit_library(actor, library)


def save_source(
    actor: permissions.Actor,
    library: Library,
    values: dict[str, Any],
    source: HarvestSource | None = None,
) -> HarvestSource:
    """Create or change a source of this library (its staff and the coordinator only)."""
    check_can_manage_sources(actor, library)
    if source is not None and source.library_id != library.pk:
        raise InvalidInput(_("This source belongs to another library."))
    source = source or HarvestSource(library=library)
    for name in SOURCE_FIELDS:
        if name in values:
            setattr(source, name, values[name])
    if source.schedule == Schedule.MANUAL:
        source.next_run_at = None
    elif source.next_run_at is None:
        source.next_run_at = timezone.now()
    try:
        source.full_clean()
    except ValidationError as error:
        raise InvalidInput(error.message_dict) from None
    source.save()
    return source


def apply_description(source: HarvestSource, description: oai.Description) -> None:
    """Remember what the endpoint said of itself and the quirks that shows."""
    source.repository_name = description.repository_name[:300]
    source.granularity = description.granularity[:30]
    source.deleted_record = description.deleted_record[:20]
    source.quirks = sorted(set(source.quirks) | description.quirks)
    if "oai:slims/" in description.repository_name.lower() or source.base_url.endswith("/oai.php"):
        # SLiMS's own oai.php: offsets for tokens, no dates, no deletions, no sets.
        source.quirks = sorted(
            set(source.quirks)
            | {Quirk.OFFSET_TOKENS, Quirk.NO_INCREMENTAL, Quirk.NO_DELETIONS, Quirk.IGNORES_SETS}
        )
    if source.base_url.endswith("/oai2.php"):
        source.quirks = sorted(set(source.quirks) | {Quirk.INPUT_DATESTAMPS})


def _probe_client(base_url: str) -> oai.Client:
    """A person is waiting for the answer: no retries (they can press the button again)."""
    return oai.Client(base_url, retries=0)


def test_source(base_url: str, client_factory: ClientFactory = _probe_client) -> oai.Description:
    """Identify, formats and sets of an endpoint, before it is saved; HarvestError says why not."""
    with client_factory(base_url) as client:
        return oai.describe(client)


def start_harvest(
    actor: permissions.Actor, source: HarvestSource, mode: str = "", identifier: str = ""
) -> HarvestRun:
    """A harvest queued for the worker (staff of the source's library, or the coordinator)."""
    check_can_manage_sources(actor, source.library)
    run = new_run(source, mode, identifier=identifier, by=actor)
    from simpul.harvest.tasks import harvest_source

    harvest_source.enqueue(run.pk)
    return run


# A harvest of changes starts this long before the last one began. An endpoint that dates a
# change before committing it (many do) would otherwise have it fall between two harvests;
# records read twice are recognised by their hash and count as unchanged.
CHANGES_OVERLAP = dt.timedelta(minutes=15)


def choose_mode(source: HarvestSource, now: dt.datetime | None = None) -> str:
    """Full when the endpoint cannot say what changed, or a full harvest is due."""
    now = now or timezone.now()
    if source.route == Route.SLIMS_MODS or Quirk.NO_INCREMENTAL in source.quirks:
        return RunMode.FULL
    if source.harvested_until is None:
        return RunMode.FULL
    if source.full_every_days and (
        source.last_full_at is None
        or now - source.last_full_at >= dt.timedelta(days=source.full_every_days)
    ):
        return RunMode.FULL
    return RunMode.INCREMENTAL


def new_run(
    source: HarvestSource, mode: str = "", *, identifier: str = "", by: Any = None
) -> HarvestRun:
    mode = RunMode.SELECTIVE if identifier else (mode or choose_mode(source))
    label = {
        RunMode.FULL: _("full harvest"),
        RunMode.INCREMENTAL: _("changes"),
        RunMode.SELECTIVE: identifier,
    }[RunMode(mode)]
    job = ImportJob.objects.create(
        library=source.library,
        created_by=by if getattr(by, "pk", None) else None,
        file_name=f"{source.name} ({label})"[:255],
        source_format=FORMATS[MetadataPrefix(source.metadata_prefix)].value
        if source.route == Route.OAI_PMH
        else SourceFormat.MODS.value,
        mode=ImportMode.REPLACE if mode == RunMode.FULL else ImportMode.UPDATE,
    )
    return HarvestRun.objects.create(
        source=source,
        job=job,
        mode=mode,
        from_date=source.harvested_until - CHANGES_OVERLAP
        if mode == RunMode.INCREMENTAL and source.harvested_until
        else None,
        identifier=identifier,
    )


def harvest(
    source: HarvestSource,
    mode: str = "",
    *,
    identifier: str = "",
    client_factory: ClientFactory = oai.Client,
) -> HarvestRun:
    """Harvest now (the command line and the worker)."""
    return run_harvest(new_run(source, mode, identifier=identifier), client_factory)


@garbage.bulk_work()
def run_harvest(run: HarvestRun, client_factory: ClientFactory = oai.Client) -> HarvestRun:
    source, job = run.source, run.job
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.save()
    memory = imports.JobMemory()
    harvester = _Harvester(run, memory)
    try:
        with harvester.follower, client_factory(source.base_url) as client:
            if source.route == Route.SLIMS_MODS:
                harvester.slims_pages(client)
            elif run.mode == RunMode.SELECTIVE:
                harvester.one_record(client, run.identifier)
            else:
                harvester.list_records(client)
        if run.mode == RunMode.FULL and harvester.incomplete:
            harvester._repair(
                _("Records missing from the list were not withdrawn: a page could not be read.")
            )
        elif run.mode == RunMode.FULL:
            job.withdrawn += imports.withdraw_missing(
                source.library, source.origin, memory.present()
            )
    except oai.HarvestError as error:
        indexing.apply_search_changes()  # the pages written before the failure are found
        return _finish(run, harvester, JobStatus.FAILED, str(error))
    indexing.apply_search_changes()
    return _finish(run, harvester, JobStatus.SUCCEEDED, "")


def _finish(run: HarvestRun, harvester: _Harvester, status: str, failure: str) -> HarvestRun:
    source, job = run.source, run.job
    job.status = status
    job.finished_at = timezone.now()
    summary = imports.summary_text(job)
    if failure:
        job.message = _("The harvest stopped: %(reason)s Before that: %(summary)s") % {
            "reason": failure,
            "summary": summary,
        }
    else:
        job.message = summary
    job.save()
    run.save()
    source.quirks = sorted(set(source.quirks) | harvester.quirks)
    if status == JobStatus.SUCCEEDED and run.mode != RunMode.SELECTIVE:
        source.harvested_until = run.response_started_at or job.started_at
        if run.mode == RunMode.FULL:
            source.last_full_at = job.started_at
    source.save(update_fields=["quirks", "harvested_until", "last_full_at"])
    return run


class _Harvester:
    """Walks an endpoint's pages and hands their records to the catalogue import."""

    def __init__(self, run: HarvestRun, memory: imports.JobMemory) -> None:
        self.run = run
        self.source = run.source
        self.job = run.job
        self.memory = memory
        self.quirks: set[str] = set()
        self.incomplete = False  # some records of the list could not be told apart
        self.format = FORMATS[MetadataPrefix(self.source.metadata_prefix)]
        self._reader: reading.PageReader | None = None  # set once a list proves long
        self._read: list[BibRecord | RecordProblem] = []  # read ahead, not yet written
        self.follower = index_follower.LogFollower()

    def _first_params(self) -> dict[str, str]:
        params = {"verb": "ListRecords", "metadataPrefix": self.source.metadata_prefix}
        if self.source.set_spec and Quirk.IGNORES_SETS not in self.source.quirks:
            params["set"] = self.source.set_spec
        if self.run.mode == RunMode.INCREMENTAL and self.run.from_date:
            params["from"] = oai.format_datestamp(self.run.from_date, self.source.granularity)
        return params

    def list_records(self, client: oai.Client) -> None:
        try:
            try:
                self._walk_list(client)
            except oai.HarvestError:
                self._catch_up()  # pages read before the failure are kept, as they come
                raise
            self._catch_up()
        finally:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def _walk_list(self, client: oai.Client) -> None:
        restarted = False
        tokens_seen: set[str] = set()
        while True:
            with oai.list_walker(client, self._first_params()) as walker:
                for page, envelope in walker:
                    stop: oai.HarvestError | None = None
                    try:
                        self._count(page, envelope)
                        if envelope.error_code == "noRecordsMatch":
                            return
                        if envelope.error_code == "badResumptionToken" and not restarted:
                            break
                        if envelope.error_code:
                            raise oai.HarvestError(
                                _("The endpoint answered with the OAI-PMH error %(code)s: %(text)s")
                                % {"code": envelope.error_code, "text": envelope.error_text}
                            )
                        stop = self._token_trouble(envelope.token, tokens_seen)
                        self._write_page(page, envelope)
                    finally:
                        page.close()
                    if stop is not None:
                        raise stop
                    if not envelope.token:
                        return
                else:
                    return
            # Expired or broken: start again; what was written is recognised as unchanged.
            restarted = True
            tokens_seen.clear()
            self._repair(
                _(
                    "The endpoint refused its own resumption token (%(text)s); the "
                    "list was read again from the start."
                )
                % {"text": envelope.error_text or envelope.error_code}
            )

    def _token_trouble(self, token: str | None, tokens_seen: set[str]) -> oai.HarvestError | None:
        """Why the list must stop after this page, if its resumption token says so."""
        if not token:
            return None
        if token in tokens_seen:
            return oai.HarvestError(
                _("The endpoint gave the same resumption token twice (%(token)s).")
                % {"token": token[:80]}
            )
        tokens_seen.add(token)
        if token.isdigit():
            self.quirks.add(Quirk.OFFSET_TOKENS)
        if self.run.pages >= MAX_PAGES:
            return oai.HarvestError(_("More than %(count)d pages: stopped.") % {"count": MAX_PAGES})
        return None

    def one_record(self, client: oai.Client, identifier: str) -> None:
        page = client.fetch(
            {
                "verb": "GetRecord",
                "identifier": identifier,
                "metadataPrefix": self.source.metadata_prefix,
            }
        )
        try:
            envelope = self._envelope(page)
            if envelope.error_code == "idDoesNotExist":
                gone = BibRecord(
                    local_id=identifier, source_format=self.format, raw=b"", title="", deleted=True
                )
                self._write([gone])
                return
            if envelope.error_code:
                raise oai.HarvestError(
                    _("The endpoint answered with the OAI-PMH error %(code)s: %(text)s")
                    % {"code": envelope.error_code, "text": envelope.error_text}
                )
            self._write(self._records(page, envelope))
        finally:
            page.close()

    def slims_pages(self, client: oai.Client) -> None:
        """SLiMS's MODS search results, page after page, until a page brings nothing new.

        The first page says how many results there are and how many a page shows; the
        pages up to the last are then fetched ahead of the writing. Pages after it are
        still asked for, one by one, until one brings nothing new: titles catalogued
        during the harvest push the list on, and a title missed would be withdrawn.
        """
        search = {"resultXML": "true", "search": "Search", "keywords": ""}
        first = client.fetch({**search, "page": "1"})
        known = _slims_page_count(first)
        previous: set[str] = set()
        if not self._slims_page(first, previous):
            return
        after = 2
        if known is not None and known >= 2:
            last = min(known, MAX_SLIMS_PAGES)
            with oai.numbered_walker(client, search, 2, last) as walker:
                for page in walker:
                    if not self._slims_page(page, previous):
                        return
            after = last + 1
        for number in range(after, MAX_SLIMS_PAGES + 1):
            if not self._slims_page(client.fetch({**search, "page": str(number)}), previous):
                return
        raise oai.HarvestError(
            _("More than %(count)d pages: stopped.") % {"count": MAX_SLIMS_PAGES}
        )

    def _slims_page(self, page: oai.Page, previous: set[str]) -> bool:
        """Write a page of SLiMS's search results; False when it brings nothing new."""
        try:
            self._note(page)
            self.run.pages += 1
            if self.run.pages == 1:
                self.run.response_started_at = timezone.now()
            items = list(read_records(page.body, SourceFormat.MODS))  # type: ignore[arg-type]
        finally:
            page.close()
        names = {item.local_id for item in items if isinstance(item, BibRecord)}
        if not items or names <= previous:
            return False  # past the last page SLiMS answers nothing, or the last page again
        previous.clear()
        previous.update(names)
        self._write(items)
        return True

    def _note(self, page: oai.Page) -> None:
        for repair in page.repairs:
            self._repair(repair)
        self.quirks |= page.quirks

    def _repair(self, text: str) -> None:
        if text not in self.run.repairs and len(self.run.repairs) < 50:
            self.run.repairs.append(text)

    def _envelope(self, page: oai.Page) -> oai.Envelope:
        envelope = oai.read_envelope(page)
        self._count(page, envelope)
        return envelope

    def _count(self, page: oai.Page, envelope: oai.Envelope) -> None:
        self._note(page)
        self.run.pages += 1
        if self.run.pages == 1:
            self.run.response_started_at = envelope.response_date or timezone.now()

    def _records(
        self, page: oai.Page, envelope: oai.Envelope
    ) -> Iterator[BibRecord | RecordProblem]:
        if envelope.well_formed:
            yield from read_records(_document_of(page), self.format)  # type: ignore[arg-type]
            return
        self._repair(
            _("A page was not well-formed XML (%(error)s); its records were read one by one.")
            % {"error": envelope.syntax_error}
        )
        pieces = 0
        for number, piece in enumerate(oai.split_records(page), start=1):
            pieces += 1
            if piece.error:
                yield RecordProblem(
                    position=number,
                    local_id=piece.identifier,
                    reason=_("The record's XML is not well-formed (%(error)s); it was skipped.")
                    % {"error": piece.error},
                )
                continue
            yield from read_records(io.BytesIO(piece.document), self.format)
        if not pieces:
            # Nothing could be told apart: the page's records are unknown, so a full
            # harvest must not withdraw anything this time.
            self.incomplete = True
            yield RecordProblem(
                position=1,
                reason=_(
                    "Page %(page)d was not well-formed XML and no record could be taken out of "
                    "it (%(error)s); its records were not harvested."
                )
                % {"page": self.run.pages, "error": envelope.syntax_error},
            )

    def _write_page(self, page: oai.Page, envelope: oai.Envelope) -> None:
        """Write a page's records, or hand the page to the reading process and write the
        oldest it has read once it holds enough (a long list only: starting that process
        costs about a second)."""
        if (
            self._reader is None
            and envelope.token
            and envelope.well_formed
            and self.job.records_seen >= READ_AHEAD_RECORDS
        ):
            self._reader = reading.PageReader(self.format, self.memory.holders_log.watch())
        if self._reader is not None and envelope.well_formed and page.size <= READ_AHEAD_PAGE:
            # Pages of 100-500 records are written a few together: larger batches cost less.
            while self._reader.full:
                self._read.extend(self._reader.take())
                if len(self._read) >= imports.BATCH_SIZE:
                    self._write(self._read)
                    self._read = []
            self._reader.give(page.body.read())
            return
        self._catch_up()
        self._write(self._records(page, envelope))

    def _catch_up(self) -> None:
        """Write the pages still with the reading process, in their order."""
        while self._reader is not None and self._reader.waiting:
            self._read.extend(self._reader.take())
        if self._read:
            self._write(self._read)
            self._read = []

    def _write(self, items: Iterable[BibRecord | RecordProblem]) -> None:
        if adjusters.record_adjusters:
            items = adjusters.adjusted(self.source, items, adjusters.record_adjusters)
        for batch in reading.batches(items, imports.BATCH_SIZE):
            imports.apply_batch(
                self.job, batch, self.memory, self.source.origin, repeats_allowed=True
            )
            self.job.save(update_fields=imports.JOB_COUNTS)
            self.follower.progress(self.job.records_seen)
        self.run.save(update_fields=["pages", "repairs", "response_started_at"])


# SLiMS heads its search results with <slims:resultInfo>: how many in all, and how many a
# page shows (in the namespace of slims.web.id, or senayan.diknas.go.id before SLiMS 5;
# some versions write the numbers as CDATA).
_SLIMS_RESULT_INFO = re.compile(
    rb"<(?:[\w.-]+:)?modsResult(Num|Showed)>\s*(?:<!\[CDATA\[)?\s*(\d+)"
)


def _slims_page_count(page: oai.Page) -> int | None:
    """How many pages SLiMS's search results say they have (None: they do not say)."""
    head = page.body.read(8192)
    page.body.seek(0)
    numbers = {name: int(value) for name, value in _SLIMS_RESULT_INFO.findall(head)}
    total, shown = numbers.get(b"Num"), numbers.get(b"Showed")
    if total is None or not shown:
        return None
    return -(-total // shown)


def enqueue_due(now: dt.datetime | None = None) -> int:
    """Queue a harvest for every source whose time has come; safe with several workers
    (a source is claimed by moving its next time forward in one conditional UPDATE)."""
    now = now or timezone.now()
    queued = 0
    due = HarvestSource.objects.filter(enabled=True, next_run_at__lte=now).exclude(
        schedule=Schedule.MANUAL
    )
    for source in due:
        interval = SCHEDULE_INTERVALS[Schedule(source.schedule)]
        with transaction.atomic():
            claimed = HarvestSource.objects.filter(
                pk=source.pk, next_run_at=source.next_run_at
            ).update(next_run_at=now + interval)
            if not claimed:
                continue
            run = new_run(source)
            from simpul.harvest.tasks import harvest_source

            harvest_source.enqueue(run.pk)
            queued += 1
    return queued
