"""Read side of the network: directory searches and access-checked look-ups."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from simpul.network import permissions
from simpul.network.models import Library, Network


def current_network() -> Network | None:
    return Network.objects.select_related("coordinator").first()


def search_directory(
    text: str = "", library_type: str = "", province: str = "", include_inactive: bool = False
) -> QuerySet[Library]:
    """Member libraries matching free text (code, names, city, institution) and filters."""
    libraries = Library.objects.all()
    if not include_inactive:
        libraries = libraries.filter(is_active=True)
    for word in text.split()[:8]:
        libraries = libraries.filter(
            Q(code__icontains=word)
            | Q(name__icontains=word)
            | Q(name_en__icontains=word)
            | Q(city__icontains=word)
            | Q(province__icontains=word)
            | Q(institution__icontains=word)
        )
    if library_type:
        libraries = libraries.filter(library_type=library_type)
    if province:
        libraries = libraries.filter(province=province)
    return libraries.order_by("name")


def provinces() -> list[str]:
    return list(
        Library.objects.filter(is_active=True)
        .exclude(province="")
        .values_list("province", flat=True)
        .distinct()
        .order_by("province")
    )


def get_library(code: str) -> Library:
    try:
        return Library.objects.prefetch_related("opening_hours").get(code=code.upper())
    except Library.DoesNotExist:
        raise Http404(_("No member library has the code %(code)s.") % {"code": code}) from None


def get_library_staff_view(actor: permissions.Actor, code: str) -> Library:
    """The library, if the actor may see its staff-only data; raises AccessDenied otherwise."""
    library = get_library(code)
    permissions.check_can_view_staff_data(actor, library)
    return library


def map_points(width: int = 800, height: int = 400, margin: int = 40) -> list[dict[str, object]]:
    """Members with coordinates, projected onto an SVG canvas (equirectangular, no tiles needed)."""
    located = [
        lib
        for lib in Library.objects.filter(is_active=True)
        if lib.latitude is not None and lib.longitude is not None
    ]
    if not located:
        return []
    lats = [float(lib.latitude) for lib in located]  # type: ignore[arg-type]
    lons = [float(lib.longitude) for lib in located]  # type: ignore[arg-type]
    lat_span = max(max(lats) - min(lats), 0.5)
    lon_span = max(max(lons) - min(lons), 0.5)
    scale = min((width - 2 * margin) / lon_span, (height - 2 * margin) / lat_span)
    points = []
    for lib, lat, lon in zip(located, lats, lons, strict=True):
        points.append(
            {
                "library": lib,
                "x": round(margin + (lon - min(lons)) * scale, 1),
                "y": round(margin + (max(lats) - lat) * scale, 1),
            }
        )
    return points
