"""`{% result_exports page as export %}`: the links that export a whole catalogue search."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from simpul.lists.exports import RESULT_FORMATS, max_results

register = template.Library()


@register.simple_tag
def result_exports(page: Any) -> dict[str, Any] | None:
    """The export links of a search page (None when it found nothing)."""
    if page is None or not page.total:
        return None
    items = [(k, v) for k, v in page.params.as_items(page=1) if k != "page_size"]
    query = f"?{urlencode(items)}" if items else ""
    cap = max_results()
    return {
        "total": page.total,
        "count": min(page.total, cap),
        "capped": page.total > cap,
        "links": [
            {
                "label": f.label,
                "url": reverse("lists:export_results", args=[f.key]) + query,
                "key": f.key,
            }
            for f in RESULT_FORMATS.values()
        ],
    }
