"""Atom 1.0 feeds of new titles, for the network or one library, optionally one subject."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from simpul.lists import new_titles
from simpul.lists.new_titles import NewTitle
from simpul.network.models import Library
from simpul.network.queries import current_network


class NewTitlesAtom(Atom1Feed):
    content_type = "application/atom+xml; charset=utf-8"


class NewTitlesFeed(Feed):
    feed_type = NewTitlesAtom

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        code = request.GET.get("library", "").strip().upper()
        library = None
        if code:
            library = Library.objects.filter(code=code).first()
            if library is None:
                raise Http404(
                    _("There is no member library with the code %(code)s.") % {"code": code}
                )
        subject = request.GET.get("subject", "").replace("\x00", "").strip()[:200]
        return {"library": library, "subject": subject, "network": current_network()}

    def _network_name(self, obj: dict[str, Any]) -> str:
        network = obj["network"]
        return network.display_name if network else "Simpul"

    def title(self, obj: dict[str, Any]) -> str:
        where = obj["library"].display_name if obj["library"] else self._network_name(obj)
        text = _("New titles: %(where)s") % {"where": where}
        if obj["subject"]:
            text += f" \u2014 {obj['subject']}"
        return text

    def subtitle(self, obj: dict[str, Any]) -> str:
        return _("Titles that newly appeared in the union catalogue, newest first.")

    def link(self, obj: dict[str, Any]) -> str:
        return reverse("lists:new") + _query(obj)

    def feed_url(self, obj: dict[str, Any]) -> str:
        return reverse("lists:new_feed") + _query(obj)

    def author_name(self, obj: dict[str, Any]) -> str:
        return self._network_name(obj)

    def get_feed(self, obj: dict[str, Any], request: HttpRequest) -> SyndicationFeed:
        feed = super().get_feed(obj, request)
        feed.feed["language"] = get_language() or "id"
        return feed

    def items(self, obj: dict[str, Any]) -> list[NewTitle]:
        return new_titles.latest(obj["library"], obj["subject"])

    def item_title(self, item: NewTitle) -> str:
        return str(item.hit.cluster.title or (item.hit.record.title if item.hit.record else ""))

    def item_link(self, item: NewTitle) -> str:
        return reverse("catalog:record", args=[item.cluster_id])

    def item_updateddate(self, item: NewTitle) -> dt.datetime:
        return item.first_seen_at

    def item_pubdate(self, item: NewTitle) -> dt.datetime:
        return item.first_seen_at

    def item_author_name(self, item: NewTitle) -> str | None:
        record = item.hit.record
        authors = list(record.authors or []) if record else []
        return "; ".join(authors[:3]) if authors else None

    def item_categories(self, item: NewTitle) -> list[str]:
        return item.subjects

    def item_description(self, item: NewTitle) -> str:
        record = item.hit.record
        parts = [item.hit.format_label]
        if record and record.publisher:
            parts.append(record.publisher)
        if item.hit.cluster.year:
            parts.append(str(item.hit.cluster.year))
        held = ", ".join(library.name for library in item.hit.libraries)
        added = timezone.localtime(item.first_seen_at).date().isoformat()
        return (
            " · ".join(parts)
            + ". "
            + _("Held by: %(libraries)s. Added %(date)s.")
            % {
                "libraries": held,
                "date": added,
            }
        )


def _query(obj: dict[str, Any]) -> str:
    items = []
    if obj["library"]:
        items.append(("library", obj["library"].code))
    if obj["subject"]:
        items.append(("subject", obj["subject"]))
    return f"?{urlencode(items)}" if items else ""
