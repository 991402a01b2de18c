"""``flask careteam …`` commands, also installed as the ``careteam`` console script."""

from __future__ import annotations

import getpass
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

careteam_cli = click.Group("careteam", help="Set up and look after a CareTeam site.")


@careteam_cli.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database, or upgrade it to every migration head (core and plugins)."""
    from flask_migrate import upgrade

    upgrade(revision="heads")
    click.echo("Database is up to date.")


@careteam_cli.command("demo")
@with_appcontext
def demo_command() -> None:
    """Fill the database with demo people and data (safe to run again)."""
    from .demo import run_demo

    for line in run_demo():
        click.echo(line)


@careteam_cli.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's email address.")
@click.option("--name", "display_name", default="Site administrator", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (for scripts)."
)
@with_appcontext
def create_admin_command(email: str, display_name: str, password_stdin: bool) -> None:
    """Create a site administrator, or make an existing account one."""
    from .admin.service import AdminError, create_admin

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password (at least 12 characters): ")
    try:
        user, created = create_admin(email, display_name, password)
    except AdminError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{'Created' if created else 'Promoted'} site administrator {user.email}.")


@careteam_cli.command("purge-trash")
@with_appcontext
def purge_trash_command() -> None:
    """Delete for good the notes that have been in the trash for more than 30 days."""
    from .extensions import db
    from .notes.service import purge_trash

    count = purge_trash()
    db.session.commit()
    click.echo(f"Purged {count} note{'' if count == 1 else 's'} from the trash.")


@careteam_cli.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Email the appointment reminders that are due (safe to run every minute from cron)."""
    from .appointments.reminders import send_due_reminders

    report = send_due_reminders()
    click.echo(
        f"Sent {report.sent} email(s) with {report.reminders} reminder(s); "
        f"{report.failed} failed (retried next run)."
    )
    if report.failed:
        sys.exit(1)


def main() -> None:
    """Run the ``careteam`` console script: the commands above plus Flask's own (run, shell)."""
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="CareTeam site commands.")
    for name, command in careteam_cli.commands.items():
        cli.add_command(command, name)
    cli.main(prog_name="careteam")
