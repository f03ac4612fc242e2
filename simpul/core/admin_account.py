"""`simpul createadmin`: the first coordinator account, made by the installation itself."""

from __future__ import annotations

import getpass
import os
import sys

from simpul.config import _


def create_admin_from_cli(username: str, email: str, password_env: str) -> int:
    from simpul.accounts import services
    from simpul.accounts.models import Role
    from simpul.core.errors import InvalidInput

    password = os.environ.get(password_env, "")
    if not password:
        if not sys.stdin.isatty():
            print(
                _("Set %(var)s to the password, or run this command in a terminal.")
                % {"var": password_env},
                file=sys.stderr,
            )
            return 1
        password = getpass.getpass(_("Password: "))
        if password != getpass.getpass(_("Password (again): ")):
            print(_("The two passwords differ. Nothing was changed."), file=sys.stderr)
            return 1
    try:
        person = services.create_person(
            None,
            username=username,
            email=email,
            password=password,
            role=Role.COORDINATOR,
            library=None,
        )
    except InvalidInput as exc:
        # Each message names what is wrong ("This user name is already taken.").
        for message in exc.messages:
            print(message, file=sys.stderr)
        print(_("Nothing was changed."), file=sys.stderr)
        return 1
    print(_("Coordinator account %(username)s created.") % {"username": person.username})
    return 0
