"""`simpul card-keys`: list, rotate and retire the keys that sign member cards."""

from __future__ import annotations

import sys

from django.utils.translation import gettext as _

from simpul.cards import signing


def card_keys(rotate: bool = False, retire: str = "") -> int:
    if rotate:
        kid = signing.new_key()
        print(
            _("New signing key %(kid)s; cards shown from now on are signed with it.") % {"kid": kid}
        )
    if retire:
        if not signing.retire_key(retire):
            print(
                _("No published key %(kid)s other than the current one.") % {"kid": retire},
                file=sys.stderr,
            )
            return 1
        print(
            _("Key %(kid)s is no longer published; cards signed with it are refused.")
            % {"kid": retire}
        )
    for key in signing.published_keys():
        marker = _("(signs new cards)") if key["current"] == "true" else ""
        print(f"{key['kid']}  {key['key']}  {marker}")
    print(_("Keys are kept in %(folder)s.") % {"folder": signing.key_dir()})
    return 0
