"""`simpul`: one command for everything an operator does.

Each subcommand is a thin caller: the work is done by services and Django
management commands, so the same thing can be done from a page, a task or here.

Exit codes: 0 done; 1 the command ran but found or refused something (its message
says what); 2 the configuration or the database connection is wrong; 130 stopped
with Ctrl+C.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from simpul.config import ConfigError, _, read_env_file

# Commands that need a database connection, and those that also need up-to-date tables.
NEEDS_DATABASE = {
    "demo",
    "serve",
    "worker",
    "migrate",
    "createadmin",
    "backup",
    "restore",
    "import",
    "reindex",
    "harvest",
    "ucs-node",
    "fixity",
    "audit",
    "bag",
}
NEEDS_TABLES = {
    "serve",
    "worker",
    "createadmin",
    "backup",
    "restore",
    "import",
    "reindex",
    "harvest",
    "ucs-node",
    "fixity",
    "audit",
    "bag",
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
    import django

    django.setup()


def _call(name: str, *args: str, **options: object) -> None:
    from django.core.management import call_command

    call_command(name, *args, **options)


def _serve_options(parser: argparse.ArgumentParser, workers: int, host_help: str) -> None:
    parser.add_argument("--host", default="127.0.0.1", help=host_help)
    parser.add_argument(
        "--port", type=int, default=8000, help=_("port to listen on (default: %(default)s)")
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=workers,
        help=_("number of web worker processes (default: %(default)s)"),
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help=_("threads in each worker process (default: %(default)s)"),
    )


def _count(text: str) -> int:
    """A whole number of zero or more, for argparse (which reports the error in words)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            _("expected a whole number of zero or more, not %(value)r") % {"value": text}
        )
    return value


def _add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    details: str = "",
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=summary,
        description=summary[:1].upper() + summary[1:] + "." + (" " + details if details else ""),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simpul",
        description=_(
            "Simpul: open platform for library cooperation networks. "
            "Settings come from environment variables or a .env file in the current folder "
            "(see docs/configuration.md). Run `simpul COMMAND --help` to learn more about "
            "a command."
        ),
        epilog=_(
            "First time? Run `simpul demo`. On a server: `simpul migrate`, "
            "`simpul createadmin`, `simpul check`, then `simpul serve` and `simpul worker` "
            "(see docs/operations.md)."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    listen_here = _("address to listen on (default: %(default)s, this computer only)")

    demo = _add(
        sub,
        "demo",
        _("create a demo network in the data folder and serve it on http://127.0.0.1:8000"),
        _(
            "The demo has invented member libraries of several kinds and accounts for a "
            "coordinator, library staff and patrons; their names and password are printed. "
            "Running it again reuses the data that is already there."
        ),
    )
    _serve_options(demo, workers=2, host_help=listen_here)
    demo.add_argument(
        "--no-serve",
        action="store_true",
        help=_("prepare the demo data but do not start the server"),
    )
    demo.add_argument(
        "--records",
        type=_count,
        default=50_000,
        metavar="N",
        help=_(
            "how many generated catalogue records the first run imports across the member "
            "libraries (default: %(default)s)"
        ),
    )

    serve = _add(
        sub,
        "serve",
        _("serve the site with a production web server (gunicorn)"),
        _(
            "Static files are served too. Behind a reverse proxy such as nginx, keep the "
            "default address and set SIMPUL_BEHIND_PROXY=true. Stop it with Ctrl+C."
        ),
    )
    _serve_options(serve, workers=max(2, (os.cpu_count() or 1) * 2), host_help=listen_here)

    worker = _add(
        sub,
        "worker",
        _("run background jobs (harvests, e-mail, reminders)"),
        _(
            "Keeps running and picks up new jobs as they are queued; run one or more next to "
            "`simpul serve`. Stop it with Ctrl+C: a job that is running is finished first."
        ),
    )
    worker.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help=_("seconds to wait between looks for new jobs (default: %(default)s)"),
    )
    worker.add_argument(
        "--batch", action="store_true", help=_("run the jobs that are waiting, then stop")
    )

    _add(
        sub,
        "migrate",
        _("create or upgrade the database tables"),
        _("Run it after installing and after every upgrade. It is safe to run twice."),
    )

    admin = _add(
        sub,
        "createadmin",
        _("create a network coordinator account"),
        _(
            "The coordinator may do everything, including adding member libraries and their "
            "staff. The password is read from an environment variable, or asked for."
        ),
    )
    admin.add_argument("--username", required=True, help=_("user name of the new account"))
    admin.add_argument("--email", required=True, help=_("e-mail address of the new account"))
    admin.add_argument(
        "--password-env",
        default="SIMPUL_ADMIN_PASSWORD",
        metavar=_("VARIABLE"),
        help=_(
            "environment variable holding the password (default: %(default)s; "
            "asked for when it is not set)"
        ),
    )

    _add(
        sub,
        "check",
        _("check configuration, database and files; report problems in words"),
        _("Exit code 0 when everything is right, 1 when a problem was found."),
    )

    backup = _add(
        sub,
        "backup",
        _("write all data and uploaded files to one archive"),
        _(
            "The site may keep running. The archive holds password hashes and personal data: "
            "keep it as safe as the server itself."
        ),
    )
    backup.add_argument(
        "archive", metavar=_("FILE"), help=_("file to write, e.g. simpul-2026-11-23.tar.gz")
    )

    restore = _add(
        sub,
        "restore",
        _("replace all data with the contents of a backup archive"),
        _(
            "The archive must come from the same version of Simpul. It is checked completely "
            "before anything is replaced; if anything is wrong, nothing is changed. "
            "Stop `simpul serve` and `simpul worker` first."
        ),
    )
    restore.add_argument("archive", metavar=_("FILE"), help=_("archive written by simpul backup"))
    restore.add_argument(
        "--yes", action="store_true", help=_("do not ask for confirmation before replacing data")
    )

    importer = _add(
        sub,
        "import",
        _("import catalogue files of a member library into the union catalogue"),
        _(
            "Reads MARC 21 (UTF-8 or MARC-8), MARCXML, Dublin Core, MODS and CSV exports "
            "(see docs/import-formats.md). Importing the same file again changes nothing; "
            "records that cannot be read are listed with their position and reason."
        ),
    )
    importer.add_argument(
        "--library", required=True, metavar=_("CODE"), help=_("code of the member library")
    )
    importer.add_argument(
        "--replace",
        action="store_true",
        help=_("the files are a full export: withdraw the library's records missing from them"),
    )
    importer.add_argument(
        "--format",
        choices=["marc21", "marcxml", "oai_dc", "mods", "csv"],
        help=_("the files' format, when it cannot be recognised from their content"),
    )
    importer.add_argument("files", nargs="+", metavar=_("FILE"), help=_("files to import"))

    harvester = _add(
        sub,
        "harvest",
        _("harvest a member library's OAI-PMH (or SLiMS) sources now"),
        _(
            "Without options: each enabled source of the library, changes since the last "
            "harvest (or everything, when the endpoint cannot say what changed). Sources are "
            "registered on the library's harvesting page (see docs/harvesting.md)."
        ),
    )
    harvester.add_argument("library", metavar=_("CODE"), help=_("code of the member library"))
    harvester.add_argument(
        "--source", type=int, metavar=_("NUMBER"), help=_("only this source (its number)")
    )
    harvester.add_argument(
        "--full",
        action="store_true",
        help=_("read the whole list and withdraw the records the endpoint no longer has"),
    )
    harvester.add_argument(
        "--identifier",
        metavar=_("OAI_ID"),
        help=_("harvest only this record again (with --source)"),
    )

    node = _add(
        sub,
        "ucs-node",
        _("register a SLiMS node that pushes its records (UCS), or give it a new password"),
        _("Prints the Server ID and password for the library's SLiMS (docs/harvesting.md)."),
    )
    node.add_argument("library", metavar=_("CODE"), help=_("code of the member library"))
    node.add_argument("node_id", metavar=_("NODE_ID"), help=_("the Server ID its SLiMS sends"))
    node.add_argument("--name", default="", help=_("a name to recognise it by"))
    node.add_argument(
        "--new-password", action="store_true", help=_("give an existing node a new password")
    )

    reindexer = _add(
        sub,
        "reindex",
        _("rebuild the search index from the stored records"),
        _(
            "The catalogue stays searchable with the old index until the new one is complete. "
            "With --reread, the records an earlier version of Simpul read (every record, with "
            "--all) are first read again from the source they came in, with this version's "
            "readers; `simpul check` says when that is due."
        ),
    )
    reindexer.add_argument(
        "--reread",
        action="store_true",
        help=_("read the stored records again and write what now reads differently"),
    )
    reindexer.add_argument(
        "--library",
        metavar=_("CODE"),
        default="",
        help=_("with --reread: only this member library's records"),
    )
    reindexer.add_argument(
        "--all",
        action="store_true",
        dest="everything",
        help=_("with --reread: every record, also those this version already read"),
    )

    _add(
        sub,
        "fixity",
        _("check every file in the repository against its recorded SHA-256 checksum"),
        _(
            "Exit code 0 when every file is intact, 1 when a file is damaged or missing; "
            "problems are also e-mailed to the coordinator. The worker runs it every day."
        ),
    )

    auditing = _add(
        sub,
        "audit",
        _("verify or export the repository's audit trail"),
        _("`verify` exits with 1 when any entry was changed, removed or reordered."),
    )
    audit_actions = auditing.add_subparsers(dest="audit_action", metavar=_("ACTION"))
    audit_actions.required = True
    audit_actions.add_parser("verify", help=_("recompute the chain of hashes"))
    audit_export = audit_actions.add_parser("export", help=_("write every entry to a file"))
    audit_export.add_argument(
        "file", metavar=_("FILE"), help=_("file to write, or - for the screen")
    )
    audit_export.add_argument(
        "--format", choices=["jsonl", "csv"], default="jsonl", help=_("JSON lines or CSV")
    )

    bag = _add(
        sub,
        "bag",
        _("export a repository item as a BagIt package"),
        _("The package holds the item's files, its metadata and a SHA-256 manifest."),
    )
    bag.add_argument("item", type=int, metavar=_("NUMBER"), help=_("the item's number"))
    bag.add_argument("folder", metavar=_("FOLDER"), help=_("folder to write the package in"))

    keys = _add(
        sub,
        "card-keys",
        _("list, rotate or retire the keys that sign member cards"),
        _(
            "Keys live in the data folder (card-keys/), never in the database. After a "
            "rotation, cards signed with the old key stay valid until it is retired "
            "(see docs/member-cards.md)."
        ),
    )
    keys.add_argument("--rotate", action="store_true", help=_("make a new signing key"))
    keys.add_argument(
        "--retire", default="", metavar=_("KEY_ID"), help=_("stop publishing this old key")
    )

    _add(sub, "compilemessages", _("compile the Indonesian and English translations"))

    manage = _add(
        sub,
        "manage",
        _("run a Django management command (for experts)"),
        _("Example: simpul manage showmigrations"),
    )
    manage.add_argument("args", nargs=argparse.REMAINDER, metavar=_("ARGUMENTS"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        read_env_file()
    except OSError as exc:
        print(_("Configuration error: %(message)s") % {"message": exc}, file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        if args.command == "compilemessages":
            from simpul.core.translations import compile_translations

            count = compile_translations()
            print(_("Compiled %(count)d translation catalogues.") % {"count": count})
            return 0
        _setup_django()
        return _dispatch(args)
    except ConfigError as exc:
        print(_("Configuration error: %(message)s") % {"message": exc}, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _database_problem(command: str) -> int:
    """0 when the command may go on; otherwise say what is wrong and return the exit code."""
    from simpul.core.health import connection_problem, pending_migrations

    if command not in NEEDS_DATABASE:
        return 0
    problem = connection_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if command in NEEDS_TABLES:
        pending = len(pending_migrations())
        if pending:
            print(
                _(
                    "The database is not ready: %(count)d migrations are not applied. "
                    "Run `simpul migrate` first."
                )
                % {"count": pending},
                file=sys.stderr,
            )
            return 1
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    from django.core.management.base import CommandError
    from django.db import OperationalError

    try:
        refused = _database_problem(args.command)
        if refused:
            return refused
        return _run(args)
    except CommandError as exc:
        print(_("Error: %(message)s") % {"message": exc}, file=sys.stderr)
        return 1
    except OperationalError as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(_("Database error: %(message)s") % {"message": reason}, file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from simpul.core.demo import run_demo

        return run_demo(args)
    if args.command == "serve":
        from simpul.core.server import serve

        return serve(args.host, args.port, args.workers, args.threads)
    if args.command == "worker":
        import threading

        from simpul.agreements import tasks as agreement_tasks
        from simpul.harvest.services import enqueue_due
        from simpul.harvest.tasks import start_scheduler
        from simpul.ill.tasks import ill_round
        from simpul.ill.tasks import start_scheduler as start_ill_rounds
        from simpul.repository import tasks as repository_tasks

        if args.batch:
            enqueue_due()
            repository_tasks.enqueue_due()
            agreement_tasks.enqueue_check()
            ill_round.enqueue()
        else:
            stop = threading.Event()
            start_scheduler(stop)
            repository_tasks.start_scheduler(stop)
            agreement_tasks.start_scheduler(stop)
            start_ill_rounds(stop)
        _call(
            "db_worker",
            interval=args.interval,
            batch=args.batch,
            queue_name="*",
            reload=False,
            startup_delay=not args.batch,
        )
        return 0
    if args.command == "migrate":
        _call("migrate", interactive=False)
        return 0
    if args.command == "createadmin":
        from simpul.core.admin_account import create_admin_from_cli

        return create_admin_from_cli(args.username, args.email, args.password_env)
    if args.command == "check":
        from simpul.core.health import print_report

        return print_report()
    if args.command == "backup":
        from simpul.core.backup import write_backup

        path = write_backup(args.archive)
        print(_("Backup written to %(path)s.") % {"path": path})
        return 0
    if args.command == "restore":
        from simpul.core.backup import restore_backup

        if not args.yes and not _confirm(
            _("This replaces ALL data in the database with the backup. Continue? [y/N] ")
        ):
            print(_("Nothing was changed."))
            return 1
        print(restore_backup(args.archive))
        return 0
    if args.command == "import":
        from simpul.catalog.commands import import_files

        return import_files(args.library, args.files, replace=args.replace, fmt=args.format)
    if args.command == "harvest":
        from simpul.harvest.commands import harvest_library

        return harvest_library(
            args.library, source_id=args.source, full=args.full, identifier=args.identifier or ""
        )
    if args.command == "ucs-node":
        from simpul.harvest.commands import ucs_node

        return ucs_node(args.library, args.node_id, name=args.name, renew=args.new_password)
    if args.command == "card-keys":
        from simpul.cards.commands import card_keys

        return card_keys(rotate=args.rotate, retire=args.retire)
    if args.command == "reindex":
        from simpul.catalog.commands import reindex

        return reindex(reread=args.reread, library_code=args.library, everything=args.everything)
    if args.command == "fixity":
        from simpul.repository.commands import run_fixity

        return run_fixity()
    if args.command == "audit":
        from simpul.repository import commands as repository_commands

        if args.audit_action == "verify":
            return repository_commands.verify_audit_trail()
        return repository_commands.export_audit_trail(args.file, args.format)
    if args.command == "bag":
        from simpul.repository.commands import export_bag

        return export_bag(args.item, args.folder)
    if args.command == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["simpul manage", *args.args])
        return 0
    return 1


def _confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in {"y", "yes", "ya"}
    except EOFError:
        return False


if __name__ == "__main__":
    sys.exit(main())
