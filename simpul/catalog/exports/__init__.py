"""Exports of a title (cluster) in the formats reference managers and library systems read.

One module per format, each with a `render(view, url) -> bytes` function (url: the title's
permanent page) used by the record page, its download links and the API alike.
`FORMATS` lists them with MIME type and file extension.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from simpul.catalog.exports import bibtex, csl_json, marc, marcxml, ris
from simpul.catalog.queries import ClusterView

StrOrPromise = str | Promise


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: StrOrPromise
    mime: str
    extension: str
    render: Callable[[ClusterView, str], bytes]

    def file_name(self, view: ClusterView) -> str:
        return f"simpul-{view.cluster.pk}.{self.extension}"


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("ris", _("RIS (Zotero, Mendeley, EndNote)"), ris.MIME, "ris", ris.render),
        ExportFormat("bibtex", _("BibTeX"), bibtex.MIME, "bib", bibtex.render),
        ExportFormat("csl-json", _("CSL-JSON"), csl_json.MIME, "json", csl_json.render),
        ExportFormat("marcxml", _("MARCXML"), marcxml.MIME, "xml", marcxml.render),
        ExportFormat("marc", _("MARC 21 (ISO 2709)"), marc.MIME, "mrc", marc.render),
    )
}
