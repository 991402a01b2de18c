"""Account rules: registration, sign-in, email verification and password reset.

Views call these; so can the CLI and, later, an API.  Each function leaves committing to its
caller unless it says otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import func, select

from .. import audit, mail
from ..db.clock import utcnow
from ..extensions import db
from ..refusals import Refusal
from . import account_tokens, throttle
from .models import User
from .passwords import hash_password, needs_rehash, password_problem, verify_password
from .sessions import end_other_sessions

log = logging.getLogger(__name__)


class AccountError(Refusal):
    """A rule about accounts (addresses, passwords, tokens) refused the request."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def external_url(endpoint: str, **values: object) -> str:
    """Build a link for an email from the configured base URL, never the request's Host."""
    path = url_for(endpoint, _external=False, **values)
    return current_app.config["BASE_URL"] + path


def check_new_password(password: str, email: str, display_name: str) -> None:
    problem = password_problem(password, [email, display_name, "careteam", "care team"])
    if problem:
        raise AccountError(problem, field="password")


def register_user(email: str, display_name: str, password: str) -> User:
    """Create an unverified account and mail its verification link.

    An address that is already registered gets an email saying so instead, and the caller shows
    the same "check your inbox" page, so registration does not reveal who has an account.
    """
    email = normalise_email(email)
    check_new_password(password, email, display_name)
    existing = find_user_by_email(email)
    if existing is not None:
        # Hash anyway: a reply that comes back faster would tell that the address is taken.
        hash_password(password)
        mail.send_template(
            existing.email,
            "You already have a CareTeam account",
            "already_registered",
            user=existing,
            login_url=external_url("auth.login"),
            reset_url=external_url("auth.forgot_password"),
        )
        raise AccountError("exists")
    user = User(email=email, display_name=display_name, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor_id=user.id, **user.audit_subject)
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    lifetime = timedelta(hours=current_app.config["VERIFY_TOKEN_HOURS"])
    raw = account_tokens.issue(user.id, account_tokens.VERIFY_EMAIL, lifetime)
    mail.send_template(
        user.email,
        "Confirm your email address for CareTeam",
        "verify_email",
        user=user,
        link=external_url("auth.verify_email", token=raw),
        hours=current_app.config["VERIFY_TOKEN_HOURS"],
    )


def mark_address_proven(user: User) -> None:
    """Note that ``user`` followed a link mailed to their address (a reset, a sign-in link or
    the verification itself), which proves the address as well as verifying it does."""
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()


def verify_email(raw_token: str) -> User | None:
    user = account_tokens.holder(account_tokens.consume(raw_token, account_tokens.VERIFY_EMAIL))
    if user is None:
        return None
    mark_address_proven(user)
    audit.record("account.email_verified", actor_id=user.id, **user.audit_subject)
    return user


@dataclass
class SignInResult:
    user: User | None
    lock: throttle.Lock | None = None
    # Only ever True after the right password, so it tells nothing to someone guessing.
    deactivated: bool = False


def authenticate(email: str, password: str, address: str) -> SignInResult:
    """Check credentials from client ``address``; commits the failure counts itself.

    Failures are counted per (email, address), per address and per email (see
    :mod:`careteam.auth.throttle`); the owner of an account that trips the account-wide lock
    is mailed a one-time sign-in link.
    """
    email = normalise_email(email)
    lock = throttle.locked_until(email, address)
    user = find_user_by_email(email)
    if lock is not None:
        # The password is not even checked while locked, so guessing on gains nothing.
        throttle.note_refused_attempt(email, lock)
        _record_refused_password(user, "auth.sign_in_failed", {"reason": "locked"})
        db.session.commit()
        return SignInResult(None, lock)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        reason = "deactivated" if ok and user else "bad_credentials"
        lock = count_wrong_password(email, user, address, "auth.sign_in_failed", {"reason": reason})
        return SignInResult(None, lock, deactivated=bool(ok and user))
    throttle.forget_address(email, address)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return SignInResult(user)


def count_wrong_password(
    email: str, user: User | None, address: str, action: str, details: dict[str, str]
) -> throttle.Lock | None:
    """Count a refused password (sign-in or a form asking for it again), audit it as
    ``action`` and commit; return the lock it led to, if any.

    When it starts the account-wide lock, the owner of an active account is mailed a one-time
    sign-in link.
    """
    failure = throttle.record_failure(email, address)
    _record_refused_password(user, action, details)
    if failure.account_lock_started and user is not None and user.active:
        _send_sign_in_link(user, _issue_sign_in_link(user))
    db.session.commit()
    return failure.lock


def _record_refused_password(user: User | None, action: str, details: dict[str, str]) -> None:
    audit.record(
        action,
        object_type="user",
        object_id=user.public_id if user else "",
        actor_id=user.id if user else None,
        details=details,
    )


def _issue_sign_in_link(user: User) -> str:
    """Make the one-time link that gets the owner past the account-wide lock."""
    minutes = current_app.config["LOGIN_ACCOUNT_LOCK_MINUTES"]
    raw = account_tokens.issue(user.id, account_tokens.SIGN_IN_LINK, timedelta(minutes=minutes))
    audit.record(
        "auth.sign_in_link_sent",
        actor_id=user.id,
        details={"reason": "account_locked"},
        **user.audit_subject,
    )
    return raw


def _send_sign_in_link(user: User, raw: str) -> None:
    # Queued before the caller commits, so the message commits with the lock; the outbox
    # delivers it after the response and retries it if the mail server is away.
    mail.send_template(
        user.email,
        "Your CareTeam sign-in link",
        "sign_in_link",
        user=user,
        link=external_url("auth.sign_in_link", token=raw),
        minutes=current_app.config["LOGIN_ACCOUNT_LOCK_MINUTES"],
        reset_url=external_url("auth.forgot_password"),
    )


def sign_in_link_user(raw_token: str) -> User | None:
    """Return the account a live one-time sign-in link names, without using it up."""
    user = account_tokens.holder(account_tokens.peek(raw_token, account_tokens.SIGN_IN_LINK))
    return user if user is not None and user.active else None


def use_sign_in_link(raw_token: str) -> User | None:
    """Use up a one-time sign-in link; return its account, or None if it is dead or used."""
    user = sign_in_link_user(raw_token)
    if user is None or account_tokens.consume(raw_token, account_tokens.SIGN_IN_LINK) is None:
        return None
    mark_address_proven(user)
    audit.record("auth.sign_in_link_used", actor_id=user.id, **user.audit_subject)
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link to the account with this address, or a note saying there is none.

    Both cases run the same statements and the same hashing (the token statements match no row
    for an address without a usable account) and queue one email, so neither the page nor the
    time it takes tells whether the address has an account.
    """
    email = normalise_email(email)
    user = find_user_by_email(email)
    usable = user is not None and user.active
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    raw = account_tokens.issue_for_address(
        email, account_tokens.RESET_PASSWORD, timedelta(minutes=minutes)
    )
    audit.record(
        "account.reset_requested",
        object_type="user",
        object_id=user.public_id if user is not None and usable else "",
        actor_id=user.id if user is not None and usable else None,
    )
    if user is not None and usable:
        mail.send_template(
            user.email,
            "Reset your CareTeam password",
            "reset_password",
            user=user,
            link=external_url("auth.reset_password", token=raw),
            minutes=minutes,
        )
    else:
        mail.send_template(
            email,
            "Reset your CareTeam password",
            "reset_no_account",
            switched_off=user is not None,
            register_url=external_url("auth.register"),
        )


def reset_password(raw_token: str, new_password: str) -> User | None:
    """Set a new password from a reset link and end every session of the account."""
    user = account_tokens.holder(account_tokens.peek(raw_token, account_tokens.RESET_PASSWORD))
    if user is None:
        return None
    check_new_password(new_password, user.email, user.display_name)
    if account_tokens.consume(raw_token, account_tokens.RESET_PASSWORD) is None:
        return None
    user.password_hash = hash_password(new_password)
    mark_address_proven(user)
    end_other_sessions(user, keep_current=False)
    # Whoever forced the reset may have asked to move the account to their own address.
    account_tokens.retire(user.id, account_tokens.CHANGE_EMAIL)
    throttle.clear(user.email, throttle.client_address())
    audit.record("account.password_reset", actor_id=user.id, **user.audit_subject)
    return user


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
