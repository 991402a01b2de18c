"""Secret calendar feeds: the settings pages (one circle, every circle) and the feed itself.

The feed itself (``/feeds/<secret>.ics``) needs no sign-in: calendar apps fetch it, and they
cannot send cookies or headers, so the secret is in the path.  Request logs would show it:

- werkzeug's development server logs every request line through the "werkzeug" logger;
  CareTeam's log filter (careteam.web.logredact, installed by create_app) rewrites any token-shaped
  run there, so the line reads ``GET /feeds/[redacted].ics``.
- gunicorn's access log goes through the "gunicorn.access" logger, which gets the same filter
  once the app is loaded in the worker.  Operators who write access logs some other way (a
  reverse proxy, or gunicorn's access log without the app's filter) should leave the path out,
  e.g. ``--access-logformat '%(h)s %(t)s "%(m)s" %(s)s %(b)s %(L)s'``, or exclude ``/feeds/``.
- The app itself never logs request paths.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..appointments.models import FeedDetail
from ..appointments.views import calendar_page_context
from ..auth.models import User
from ..extensions import db
from ..permissions import CircleBlueprint
from ..reminders.forms import AccountRemindersForm
from ..reminders.preferences import set_email_reminders
from ..web.forms import require_action
from . import content as feed_content
from . import service as feeds
from .forms import FeedForm

# The circle's page sits with the calendar's pages and shares their layout.
bp = CircleBlueprint("calendar_feeds", __name__, url_prefix="/appointments")
bp.context_processor(calendar_page_context)
# The person's own page and the feed: not inside any circle.
calendar_bp = Blueprint("calendar", __name__)


def _feed_page(circle: Any | None, user_id: int, template_context: dict[str, Any]):
    """Handle the feed settings form for one circle, or for every circle (``circle`` None)."""
    circle_id = circle.id if circle is not None else None
    feed = feeds.feed_of(user_id, circle_id)
    form = FeedForm()
    new_url = None
    status = 200
    if request.method == "GET":
        form.detail.data = feed.detail if feed else FeedDetail.FULL.value
    else:
        action = request.form.get("action", "")
        if action == "revoke":
            require_action()
            if feed is not None:
                feeds.revoke(feed)
                db.session.commit()
            flash("The calendar link is turned off. Calendars using it stop updating.", "success")
            return redirect(request.path)
        if not form.validate_on_submit():
            status = 422
        elif action == "save" and feed is not None:
            feeds.set_detail(feed, form.detail.data)
            db.session.commit()
            flash("Saved. The calendar link stays the same.", "success")
            return redirect(request.path)
        elif action in ("create", "regenerate"):
            feed, secret = feeds.issue_secret(user_id, circle_id, form.detail.data)
            db.session.commit()
            new_url = feeds.feed_url(secret)
        else:
            abort(400)
    template = "circle.html" if circle is not None else "account.html"
    return render_template(
        f"calendar_feeds/{template}",
        form=form,
        feed=feed,
        new_url=new_url,
        circle=circle,
        **template_context,
    ), status


@bp.circle_route(
    "/subscribe", capability="appointments.view", allow_archived=True, methods=["GET", "POST"]
)
def subscribe(circle: Any, membership: Any):
    """Make, change or turn off this member's secret calendar link for this circle."""
    return _feed_page(circle, membership.user_id, {"membership": membership})


@calendar_bp.route("/calendar", methods=["GET", "POST"], endpoint="feeds")
def feeds_page():
    """Make, change or turn off one's calendar link for every circle; switch reminders."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("calendar.feeds")))
    g.personal_data = True
    if request.method == "POST" and request.form.get("action") == "reminders":
        form = AccountRemindersForm()
        if not form.validate_on_submit():
            abort(400)
        set_email_reminders(db.session.get(User, current_user.id), bool(form.email_reminders.data))
        db.session.commit()
        flash("Your email reminder setting is saved.", "success")
        return redirect(url_for("calendar.feeds"))
    reminder_form = AccountRemindersForm(
        formdata=None, email_reminders=current_user.email_reminders
    )
    return _feed_page(None, current_user.id, {"reminder_form": reminder_form})


@calendar_bp.route("/feeds/<secret>.ics")
def feed(secret: str):
    """Serve a calendar feed to a calendar app, as its owner may see it now.

    The ETag is a hash of everything the feed is made from (see
    :mod:`careteam.calendar_feeds.content`), so a calendar app that sends it back in
    ``If-None-Match`` gets a bodiless 304 until something in its feed changes, and the text is
    not written at all.  It is weak: a plugin item without a change time gets a fresh DTSTAMP.
    No Last-Modified: a deleted appointment, a role change or the history window moving on
    leave no time to report, and a date that misses them would answer ``If-Modified-Since``
    with a wrong 304, so ``If-Modified-Since`` alone always gets the full feed.
    """
    g.personal_data = True  # no shared caches
    found = feeds.find_by_secret(secret)
    owner = db.session.get(User, found.user_id) if found is not None else None
    if found is None or owner is None or not owner.active:
        abort(404)  # a deactivated account's links stop working too
    content = feed_content.load(found)
    etag = content.validator()
    unchanged = request.if_none_match.contains_weak(etag)
    details = {"detail": found.detail, "unchanged": True} if unchanged else {"detail": found.detail}
    audit.record_now(
        "calendar_feed.viewed", actor_id=found.user_id, details=details, **found.audit_subject
    )
    if unchanged:
        response = Response(status=304)
    else:
        response = Response(content.render(), content_type="text/calendar; charset=utf-8")
        response.headers["Content-Disposition"] = 'inline; filename="careteam.ics"'
    response.set_etag(etag, weak=True)
    return response
