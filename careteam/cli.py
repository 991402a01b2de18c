"""``flask careteam …`` commands, also the ``careteam`` console script's (:func:`careteam.main`)."""

from __future__ import annotations

import copy
import getpass
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from .admin.service import AdminError, create_admin
from .demo import run_demo
from .extensions import db
from .notes.trash import purge_trash
from .outbox import deliver_due
from .plugins.lifecycle import (
    LifecycleRefusal,
    UnknownPlugin,
    plan_removal,
    remove_plugin,
    restore_plugin,
    unknown_revisions,
)
from .plugins.report import plugin_report
from .reminders.sending import send_due_reminders
from .scaffold import ScaffoldRefused, new_plugin

careteam_cli = click.Group("careteam", help="Set up and look after a CareTeam site.")


@careteam_cli.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database, or upgrade it to every migration head (core and plugins)."""
    from flask_migrate import upgrade  # start-up: Alembic, which web workers never load

    unknown = unknown_revisions()
    if unknown:
        # Alembic would stop with "Can't locate revision": say which plugin and what fixes it.
        raise click.ClickException("\n".join(_unknown_revision_message(u) for u in unknown))
    upgrade(revision="heads")
    click.echo("Database is up to date.")


def _unknown_revision_message(unknown: UnknownPlugin) -> str:
    ids = ", ".join(unknown.revisions)
    if unknown.name is None:
        return (
            f"The database records revision {ids}, which neither CareTeam nor any installed "
            "plugin knows: install the CareTeam or plugin version that wrote it, then run "
            "`careteam init` again."
        )
    name = unknown.name
    return (
        f'The database holds tables of the plugin "{name}" (revision {ids}), but no installed '
        "plugin knows that revision, so the database cannot be upgraded. Run one of:\n"
        f"  careteam plugins remove {name}              (drops its tables and their data)\n"
        f"  careteam plugins remove {name} --keep-data  (keeps them, to restore it later)\n"
        "or install the plugin again; then run `careteam init` again."
    )


@careteam_cli.command("demo")
@with_appcontext
def demo_command() -> None:
    """Fill the database with demo people and data (safe to run again)."""
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
    count = purge_trash()
    db.session.commit()
    click.echo(f"Purged {count} note{'' if count == 1 else 's'} from the trash.")


@careteam_cli.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    help="The folder to create (default: ./careteam-NAME).",
)
def new_plugin_command(name: str, folder: Path | None) -> None:
    """Write a new plugin NAME to start from: a page, a table, a panel, tests and a README."""
    # No app context: writing files needs no database, and a new site has none yet.
    try:
        created, files = new_plugin(name, folder)
    except ScaffoldRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote the plugin {name!r} to {created}:")
    for path in files:
        click.echo(f"  {path}")
    click.echo("Next, in the environment where CareTeam is installed:")
    click.echo(f"  cd {created}")
    click.echo("  pip install -e .")
    click.echo("  careteam init")
    click.echo("  python -m pytest")


@careteam_cli.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Email the appointment reminders that are due (safe to run every minute from cron)."""
    report = send_due_reminders()
    click.echo(
        f"Sent {report.sent} email(s) with {report.reminders} reminder(s); "
        f"{report.failed} failed (retried next run)."
    )
    if report.failed:
        sys.exit(1)


@careteam_cli.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Deliver the queued emails that are due (run it every minute from cron, and after an
    SMTP outage)."""
    report = deliver_due()
    click.echo(f"Delivered {report.sent} email(s); {report.failed} failed (tried again later).")
    if report.failed:
        sys.exit(1)


@careteam_cli.group("plugins", invoke_without_command=True)
@with_appcontext
@click.pass_context
def plugins_command(ctx: click.Context) -> None:
    """List installed plugins: version, hooks, state, and how many circles use them.

    `careteam plugins remove NAME` and `careteam plugins restore NAME` take one out or back.
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = plugin_report()
    for row in rows:
        click.echo(f"{row.name} {row.version or '-'} [{row.status}]")
        if row.label:
            click.echo(f"  {row.label}")
        if row.status == "loaded":
            click.echo(f"  on in {row.circles} circle{'' if row.circles == 1 else 's'}")
            click.echo(f"  hooks: {', '.join(row.hooks) or '-'}")
        if row.error:
            click.echo(f"  error: {row.error}")
        if row.next_step:
            click.echo(f"  next: {row.next_step}")
    if not rows:
        click.echo("No plugins are installed.")


@plugins_command.command("remove")
@click.argument("name")
@click.option(
    "--keep-data",
    is_flag=True,
    help="Keep the plugin's tables; `careteam plugins restore NAME` brings it back.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def plugins_remove_command(name: str, keep_data: bool, yes: bool) -> None:
    """Remove a plugin's tables and switches, before `pip uninstall` (or after one)."""
    try:
        plan = plan_removal(name)
    except LifecycleRefusal as error:
        raise click.ClickException(str(error)) from error
    tables = ", ".join(plan.tables)
    if keep_data:
        question = (
            f'Remove the plugin "{name}" and keep its tables ({tables or "it has none"})? '
            "It is not served until `careteam plugins restore` brings it back."
        )
    elif tables:
        question = (
            f'Remove the plugin "{name}"? This drops its tables and everything in them: {tables}.'
        )
    else:
        question = f'Remove the plugin "{name}"? It has no tables in the database.'
    if not yes and not click.confirm(question, default=False):
        click.echo("Nothing was changed.")
        return
    try:
        dropped = remove_plugin(plan, keep_data=keep_data)
    except LifecycleRefusal as error:
        raise click.ClickException(str(error)) from error
    if keep_data:
        click.echo(f'Removed the plugin "{name}"; its tables stay: {tables or "none"}.')
        click.echo(f"`careteam plugins restore {name}` serves it again with its data.")
    else:
        click.echo(f'Removed the plugin "{name}"; dropped: {", ".join(dropped) or "no tables"}.')
    if plan.installed:
        package = plan.distribution or f"the package of {name}"
        click.echo(f"Next: pip uninstall {package}, then restart the site.")
    else:
        click.echo("Next: `careteam init`, then restart the site.")


@plugins_command.command("restore")
@click.argument("name")
@with_appcontext
def plugins_restore_command(name: str) -> None:
    """Bring back a plugin removed with --keep-data, with the data it had."""
    try:
        restore_plugin(name)
    except LifecycleRefusal as error:
        raise click.ClickException(str(error)) from error
    click.echo(f'Restored the plugin "{name}" with its data.')
    click.echo("Next: `careteam init` (for any newer migrations of it), then restart the site.")


def _in_app_context(command: click.Command) -> click.Command:
    # Plugin commands read and write the database: run them inside the app, as Flask's own
    # commands are.  A copy, so a command object shared by several apps is wrapped once each.
    wrapped = copy.copy(command)
    if wrapped.callback is not None:
        wrapped.callback = with_appcontext(wrapped.callback)
    return wrapped


def add_commands(app: Any) -> None:
    """Give ``app`` the ``careteam`` group: core commands plus those its plugins add.

    Each app gets its own group (a copy of core's), so one app's plugins never leak into
    another's commands.  Plugin commands are also added at the top level, where the ``careteam``
    console script finds them.
    """
    extra = [_in_app_context(c) for c in app.extensions.get("careteam_cli_commands", [])]
    group = click.Group(
        careteam_cli.name,
        help=careteam_cli.help,
        commands={**careteam_cli.commands, **{c.name: c for c in extra}},
    )
    app.cli.add_command(group)
    for command in extra:
        app.cli.add_command(command)
