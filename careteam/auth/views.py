"""Register, sign in, sign out, verify an email address and reset a forgotten password."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from .. import audit
from ..extensions import db, email_limit, limiter, login_limit
from ..web.forms import ActionForm
from ..web.redirects import safe_next
from . import account_tokens, service
from .forms import EmailOnlyForm, LoginForm, LogoutForm, NewPasswordForm, RegisterForm
from .login import sign_in
from .sessions import end_session
from .throttle import client_address, lock_message

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(email_limit, methods=["POST"])
def register():
    """Create an account and send its email verification link."""
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            service.register_user(form.email.data, form.display_name.data, form.password.data)
        except service.AccountError as error:
            if error.field == "password":
                db.session.rollback()
                form.password.errors.append(str(error))
                return render_template("auth/register.html", form=form), 422
            # Already registered: that address got a "you already have an account" email,
            # and the visitor sees exactly what a new address would.
        db.session.commit()
        return redirect(url_for("auth.check_inbox", reason="verify"))
    status = 422 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.get("/check-inbox")
def check_inbox():
    """Tell the visitor to look for our email, without saying whether an account exists."""
    return render_template("auth/check_inbox.html", reason=request.args.get("reason", "verify"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Sign in with email and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = service.authenticate(form.email.data, form.password.data, client_address())
        if result.user is not None:
            sign_in(result.user, remember=bool(form.remember.data))
            return redirect(safe_next(form.next.data, url_for("pages.dashboard")))
        if result.lock is not None:
            form.form_errors.append(lock_message(result.lock))
        elif result.deactivated:
            form.form_errors.append(
                "This account has been switched off. Please contact the people who run this site."
            )
        else:
            form.form_errors.append("That email address and password do not match an account.")
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out: the server-side session ends, so copied cookies stop working too."""
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        end_session(current_user)
        audit.record("auth.signed_out", **current_user.audit_subject)
        db.session.commit()
    # Clear first: logout_user() leaves the note that tells Flask-Login to delete the
    # remember cookie, and clearing afterwards would drop it.
    session.clear()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/verify/<token>")
def verify_email(token: str):
    """Confirm an email address from the emailed link."""
    user = service.verify_email(token)
    if user is None:
        db.session.rollback()
        return render_template("auth/link_invalid.html", what="confirmation"), 404
    db.session.commit()
    flash("Thank you, your email address is confirmed.", "success")
    return redirect(url_for("pages.dashboard" if current_user.is_authenticated else "auth.login"))


@bp.post("/verify/resend")
@login_required
@limiter.limit(email_limit)
def resend_verification():
    """Send a fresh confirmation link to the signed-in user's address."""
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    if not current_user.email_verified:
        service.send_verification(current_user)
        db.session.commit()
    flash("We sent a new confirmation link. It may take a minute to arrive.", "success")
    return redirect(url_for("pages.dashboard"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(email_limit, methods=["POST"])
def forgot_password():
    """Mail a reset link; the answer is the same whether or not the address has an account."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        db.session.commit()
        return redirect(url_for("auth.check_inbox", reason="reset"))
    status = 422 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link; it works once and expires."""
    if account_tokens.peek(token, account_tokens.RESET_PASSWORD) is None:
        return render_template("auth/link_invalid.html", what="password reset"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = service.reset_password(token, form.password.data)
        except service.AccountError as error:
            form.password.errors.append(str(error))
            return render_template("auth/reset_password.html", form=form), 422
        if user is None:
            db.session.rollback()
            return render_template("auth/link_invalid.html", what="password reset"), 404
        db.session.commit()
        session.clear()
        logout_user()
        flash(
            "Your password is changed and every session was signed out. Please sign in.", "success"
        )
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def sign_in_link(token: str):
    """Sign in with the one-time link mailed when the account's sign-in was locked.

    Opening the link only shows a button, so a mail scanner that fetches links cannot use it
    up (or sign itself in).
    """
    g.personal_data = True  # the page names the account: never cache it
    user = service.sign_in_link_user(token)
    if user is None:
        return render_template("auth/link_invalid.html", what="sign-in"), 404
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        user = service.use_sign_in_link(token)
        if user is None:
            db.session.rollback()
            return render_template("auth/link_invalid.html", what="sign-in"), 404
        sign_in(user, remember=False, how="emailed_link")
        flash(
            "You are signed in. Sign-in with your password stays paused for a while because "
            "of many failed attempts; if you did not make them, consider changing your "
            "password.",
            "info",
        )
        return redirect(url_for("pages.dashboard"))
    return render_template("auth/sign_in_link.html", form=form, user=user)
