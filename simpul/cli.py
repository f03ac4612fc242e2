"""`simpul`: one command for everything an operator does.

Each subcommand is a thin caller: the work is done by services and Django
management commands, so the same thing can be done from a page, a task or here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from simpul.config import ConfigError
from simpul.config import _ as t


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
    import django

    django.setup()


def _call(name: str, *args: str, **options: object) -> None:
    from django.core.management import call_command

    call_command(name, *args, **options)


def _serve_options(parser: argparse.ArgumentParser, workers: int) -> None:
    parser.add_argument("--host", default="127.0.0.1", help=t("address to listen on"))
    parser.add_argument("--port", type=int, default=8000, help=t("port to listen on"))
    parser.add_argument(
        "--workers", type=int, default=workers, help=t("number of web worker processes")
    )
    parser.add_argument("--threads", type=int, default=4, help=t("threads per worker process"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simpul",
        description=t(
            "Simpul: open platform for library cooperation networks. "
            "Settings come from environment variables or a .env file (see docs/configuration.md)."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar=t("command"))

    demo = sub.add_parser(
        "demo",
        help=t("create a demo network in the data folder and serve it on http://127.0.0.1:8000"),
    )
    _serve_options(demo, workers=2)
    demo.add_argument(
        "--no-serve",
        action="store_true",
        help=t("prepare the demo data but do not start the server"),
    )

    serve = sub.add_parser(
        "serve", help=t("serve the site with a production web server (gunicorn)")
    )
    _serve_options(serve, workers=max(2, (os.cpu_count() or 1) * 2))

    worker = sub.add_parser("worker", help=t("run background jobs (harvests, e-mail, reminders)"))
    worker.add_argument("--interval", type=float, default=1.0, help=t("seconds between polls"))
    worker.add_argument("--batch", action="store_true", help=t("run queued jobs, then stop"))

    sub.add_parser("migrate", help=t("create or upgrade the database tables"))

    admin = sub.add_parser("createadmin", help=t("create a network coordinator account"))
    admin.add_argument("--username", required=True, help=t("user name of the new account"))
    admin.add_argument("--email", required=True, help=t("e-mail address of the new account"))
    admin.add_argument(
        "--password-env",
        default="SIMPUL_ADMIN_PASSWORD",
        help=t("environment variable holding the password (asked for when it is not set)"),
    )

    sub.add_parser(
        "check", help=t("check configuration, database and files; report problems in words")
    )

    backup = sub.add_parser("backup", help=t("write all data and uploaded files to one archive"))
    backup.add_argument("archive", help=t("file to write, e.g. simpul-2026-11-23.tar.gz"))

    restore = sub.add_parser(
        "restore", help=t("replace all data with the contents of a backup archive")
    )
    restore.add_argument("archive", help=t("archive written by simpul backup"))
    restore.add_argument(
        "--yes", action="store_true", help=t("do not ask for confirmation before replacing data")
    )

    sub.add_parser("compilemessages", help=t("compile the Indonesian and English translations"))

    manage = sub.add_parser("manage", help=t("run a Django management command (for experts)"))
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        if args.command == "compilemessages":
            from simpul.core.translations import compile_translations

            count = compile_translations()
            print(t("Compiled %(count)d translation catalogues.") % {"count": count})
            return 0
        _setup_django()
        return _dispatch(args)
    except ConfigError as exc:
        print(t("Configuration error: %(message)s") % {"message": exc}, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    from django.core.management.base import CommandError

    try:
        if args.command == "demo":
            from simpul.core.demo import run_demo

            return run_demo(args)
        if args.command == "serve":
            from simpul.core.server import serve

            return serve(args.host, args.port, args.workers, args.threads)
        if args.command == "worker":
            options: dict[str, object] = {"interval": args.interval, "batch": args.batch}
            _call("db_worker", **options)
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
            print(t("Backup written to %(path)s.") % {"path": path})
            return 0
        if args.command == "restore":
            from simpul.core.backup import restore_backup

            if not args.yes and not _confirm(
                t("This replaces ALL data in the database with the backup. Continue? [y/N] ")
            ):
                print(t("Nothing was changed."))
                return 1
            summary = restore_backup(args.archive)
            print(summary)
            return 0
        if args.command == "manage":
            from django.core.management import execute_from_command_line

            execute_from_command_line(["simpul manage", *args.args])
            return 0
    except CommandError as exc:
        print(t("Error: %(message)s") % {"message": exc}, file=sys.stderr)
        return 1
    return 1


def _confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in {"y", "yes", "ya"}
    except EOFError:
        return False


if __name__ == "__main__":
    sys.exit(main())
