"""Rules for changing one's own account: profile, password, email address, deletion.

Views, the CLI and a later API call these.  Functions leave committing to their caller, except
where a refused password must still be counted (they say so).  Emails that only inform the
user are sent after the commit with :func:`notify`, so a mail outage never undoes a change.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import audit, mail
from ..auth import account_tokens, throttle
from ..auth.models import User
from ..auth.passwords import hash_password, verify_password
from ..auth.service import (
    AccountError,
    check_new_password,
    count_wrong_password,
    external_url,
    find_user_by_email,
    normalise_email,
)
from ..auth.sessions import end_other_sessions
from ..circles.models import Membership
from ..db.clock import utcnow
from ..extensions import db

log = logging.getLogger(__name__)

DELETION_CHECKS = "careteam_account_deletion_checks"
DeletionCheck = Callable[[User], "str | None"]


class EmailTakenError(AccountError):
    """The confirmed new address already belongs to another account."""


@dataclass(frozen=True)
class Notice:
    """An informational email to send once the change it describes is committed."""

    to: str
    subject: str
    template: str
    context: dict[str, object]


def notify(notices: list[Notice]) -> None:
    """Queue informational emails and commit them (the change they describe is committed
    already); a failure is logged, never shown as an error page."""
    for notice in notices:
        try:
            mail.send_template(notice.to, notice.subject, notice.template, **notice.context)
        except (smtplib.SMTPException, OSError, ValueError):
            log.exception("Could not send the %r email", notice.template)
    db.session.commit()


# --- checking who is asking ------------------------------------------------------------------


def check_current_password(user: User, password: str, purpose: str) -> None:
    """Refuse a wrong current password, counting it like a failed sign-in.

    Someone holding a stolen session must not get unlimited guesses through these forms.  A
    refusal commits the failure count and its audit row itself.
    """
    address = throttle.client_address()
    # The account-wide lock is left out: it stops guessing at the sign-in form, and an owner
    # already signed in must still be able to change the password while under attack.
    lock = throttle.locked_until(user.email, address, account_wide=False)
    if lock is not None:
        raise AccountError(throttle.lock_message(lock), field="current_password")
    if verify_password(user.password_hash, password):
        return
    db.session.rollback()
    # Counted like a sign-in from this address: a stolen session's guesses lock the thief's
    # address, not the owner's.
    count_wrong_password(
        user.email, user, address, "account.password_check_failed", {"purpose": purpose}
    )
    lock = throttle.locked_until(user.email, address, account_wide=False)
    if lock is not None:
        raise AccountError(throttle.lock_message(lock), field="current_password")
    raise AccountError("That is not your current password.", field="current_password")


# --- profile ---------------------------------------------------------------------------------


PROFILE_FIELDS = ("display_name", "time_zone", "email_reminders", "email_activity")


def update_profile(user: User, **values: object) -> list[str]:
    """Save the profile fields given; return the names of those that changed."""
    changed = user.set_changed(PROFILE_FIELDS, values)
    if changed:
        audit.record(
            "account.profile_updated",
            actor_id=user.id,
            details={"fields": changed},
            **user.audit_subject,
        )
    return changed


# --- password --------------------------------------------------------------------------------


def change_password(user: User, current_password: str, new_password: str) -> list[Notice]:
    """Set a new password and end every other session; return the notice to send."""
    check_current_password(user, current_password, "change_password")
    try:
        check_new_password(new_password, user.email, user.display_name)
    except AccountError as error:
        raise AccountError(str(error), field="new_password") from error
    user.password_hash = hash_password(new_password)
    ended = end_other_sessions(user, keep_current=True)
    # Links mailed before the change were asked for with the old password.
    account_tokens.retire(user.id, account_tokens.RESET_PASSWORD, account_tokens.CHANGE_EMAIL)
    throttle.clear(user.email, throttle.client_address())
    audit.record(
        "account.password_changed",
        actor_id=user.id,
        details={"other_sessions_ended": ended},
        **user.audit_subject,
    )
    return [
        Notice(
            user.email,
            "Your CareTeam password was changed",
            "password_changed",
            {
                "user": user,
                "when": utcnow(),
                "reset_url": external_url("auth.forgot_password"),
            },
        )
    ]


# --- signed-in devices ------------------------------------------------------------------------


def sign_out_devices(user: User, *, keep_current: bool) -> int:
    """End the account's other sessions, and this one too unless ``keep_current``; return how
    many ended."""
    ended = end_other_sessions(user, keep_current=keep_current)
    action = "auth.signed_out_elsewhere" if keep_current else "auth.signed_out_everywhere"
    audit.record(action, details={"sessions_ended": ended}, **user.audit_subject)
    return ended


# --- email address ---------------------------------------------------------------------------


def request_email_change(user: User, new_email: str, current_password: str) -> list[Notice]:
    """Mail a confirmation link to the new address; return the notice for the old one.

    An address that already has an account gets a note saying nothing changed instead of a
    link, and the caller shows the same "check the new inbox" page either way.
    """
    check_current_password(user, current_password, "change_email")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError("That is already your email address.", field="new_email")
    hours = current_app.config["VERIFY_TOKEN_HOURS"]
    if find_user_by_email(new_email) is not None:
        mail.send_template(
            new_email,
            "Someone tried to use this address on CareTeam",
            "email_in_use",
            login_url=external_url("auth.login"),
        )
    else:
        raw = account_tokens.issue(
            user.id, account_tokens.CHANGE_EMAIL, timedelta(hours=hours), new_email=new_email
        )
        mail.send_template(
            new_email,
            "Confirm your new email address for CareTeam",
            "confirm_new_email",
            user=user,
            link=external_url("account.confirm_email", token=raw),
            hours=hours,
        )
    audit.record("account.email_change_requested", actor_id=user.id, **user.audit_subject)
    return [
        Notice(
            user.email,
            "A change of your CareTeam email address was requested",
            "email_change_requested",
            {
                "user": user,
                "new_email": new_email,
                "hours": hours,
                "sessions_url": external_url("account.sessions"),
                "reset_url": external_url("auth.forgot_password"),
            },
        )
    ]


def pending_email_change(raw_token: str) -> tuple[User, str] | None:
    """Return the account and new address a live change link names, without using it."""
    token = account_tokens.peek(raw_token, account_tokens.CHANGE_EMAIL)
    if token is None or not token.new_email:
        return None
    user = account_tokens.holder(token)
    if user is None:
        return None
    return user, token.new_email


def confirm_email_change(raw_token: str) -> tuple[User, list[Notice]] | None:
    """Move the account to the address the link was sent to; None when the link is dead.

    Raises :class:`EmailTakenError` when another account has that address by now: a link must
    never hand someone an address that is already in use.
    """
    pending = pending_email_change(raw_token)
    if pending is None:
        return None
    user, new_email = pending
    owner = find_user_by_email(new_email)
    if owner is not None and owner.id != user.id:
        raise EmailTakenError("That email address now belongs to another account.")
    if account_tokens.consume(raw_token, account_tokens.CHANGE_EMAIL) is None:
        return None
    old_email = user.email
    try:
        with db.session.begin_nested():
            user.email = new_email
            db.session.flush()
    except IntegrityError as error:  # another account took it a moment ago
        raise EmailTakenError("That email address now belongs to another account.") from error
    # Following the link proved the new address.
    user.email_verified_at = utcnow()
    # Links mailed to the old address must not act on the account any more.
    account_tokens.retire(user.id)
    throttle.clear(old_email, throttle.client_address())
    audit.record("account.email_changed", actor_id=user.id, **user.audit_subject)
    context = {"user": user, "old_email": old_email, "new_email": new_email}
    return user, [
        Notice(old_email, "Your CareTeam email address was changed", "email_changed", context),
    ]


# --- deletion --------------------------------------------------------------------------------


def deletion_checks() -> list[DeletionCheck]:
    """Return the registered checks that may refuse an account deletion."""
    return list(current_app.extensions.setdefault(DELETION_CHECKS, []))


def deletion_blockers(user: User) -> list[str]:
    """Return why the account cannot be deleted now (empty when it can).

    A check that fails counts as a refusal: deleting too early cannot be undone.
    """
    messages = []
    for check in deletion_checks():
        try:
            message = check(user)
        except Exception:
            log.exception("Account deletion check %r failed", check)
            message = "We could not check whether your account can be deleted. Try again later."
        if message:
            messages.append(message)
    return messages


class DeletionBlockedError(AccountError):
    """One or more deletion checks refused; ``messages`` says why."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def _record_circle_departures(user: User) -> None:
    """Note in each circle's own log that this member left, before the membership goes."""
    memberships = db.session.execute(
        select(Membership.circle_id, Membership.public_id, Membership.role).where(
            Membership.user_id == user.id
        )
    ).all()
    for circle_id, membership_id, role in memberships:
        audit.record(
            "member.left",
            circle_id=circle_id,
            object_type="membership",
            object_id=membership_id,
            actor_id=user.id,
            details={"role": str(role), "user": user.public_id, "reason": "account_deleted"},
        )


def delete_account(user: User, password: str) -> list[Notice]:
    """Delete the account and everything that only it owns; return the goodbye notice.

    Sessions, tokens and memberships go with it (foreign keys cascade); audit rows stay with
    no actor, so a circle's history still shows that something happened.
    """
    check_current_password(user, password, "delete_account")
    blockers = deletion_blockers(user)
    if blockers:
        raise DeletionBlockedError(blockers)
    email, name = user.email, user.display_name
    _record_circle_departures(user)
    audit.record("account.deleted", actor_id=user.id, **user.audit_subject)
    throttle.clear(email, throttle.client_address())
    db.session.flush()
    db.session.execute(
        delete(User).where(User.id == user.id).execution_options(synchronize_session=False)
    )
    db.session.expunge(user)
    return [
        Notice(
            email,
            "Your CareTeam account was deleted",
            "account_deleted",
            {"display_name": name, "register_url": external_url("auth.register")},
        )
    ]
