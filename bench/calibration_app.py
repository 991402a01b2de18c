"""The issue's calibration page, served beside CareTeam in the same run: a naive list page.

Issue 7 sets CareTeam's throughput budget against what a plain Flask-SQLAlchemy + Flask-Login
page listing 50 rows reached on this machine (about 0.11x Flask hello on SQLite, 0.07x
on PostgreSQL; 0.17x / 0.10x when it selects only the columns it shows).  Those figures were
taken on another day; this app measures the same two pages against the same seeded database in
the same run, so a CareTeam page can also be read as a multiple of "the naive page" measured
under the very same machine load.

It is deliberately written the way a first Flask tutorial would write it: Flask-Login's cookie
session with a user loaded by id, ORM objects for the list, an inline template.  It is not
part of CareTeam and shares nothing with it but the database tables it reads.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, redirect, render_template_string, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

ROWS = 50

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["CARETEAM_SECRET_KEY"]
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["CARETEAM_DATABASE_URL"]
db = SQLAlchemy(app)
login_manager = LoginManager(app)
_hasher = PasswordHasher()


class Person(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))


class Group(db.Model):
    __tablename__ = "circles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16))


class Entry(db.Model):
    """Every column of a note, as a first model of the table would declare it."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16))
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20))
    tags_text: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(20))
    pinned: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
    # Naive: CareTeam's UTC-aware column type is its own; a tutorial uses plain DateTime.
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


@login_manager.user_loader
def _load_user(user_id: str) -> Person | None:
    return db.session.get(Person, int(user_id))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Entries</title></head><body>
<header><p>Signed in as {{ current_user.display_name }}</p></header>
<main><h1>Entries</h1><ol>
{% for entry in entries %}
  <li><h2>{{ entry.title }}</h2><p><time>{{ entry.created_at }}</time></p>
      <p>{{ entry.excerpt }}</p></li>
{% endfor %}
</ol></main></body></html>"""

LOGIN = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><form method="post"><label>Email <input name="email"></label>
<label>Password <input name="password" type="password"></label>
<button>Sign in</button></form></body></html>"""


@app.get("/")
def front() -> str:
    return "calibration pages: /circles/<id>/naive and /circles/<id>/columns"


@app.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return LOGIN
    person = db.session.scalar(select(Person).where(Person.email == request.form["email"]))
    try:
        _hasher.verify(person.password_hash if person else "", request.form["password"])
    except (VerificationError, InvalidHashError):
        return LOGIN, 401
    login_user(person)
    return redirect("/")


def _circle_id(public_id: str) -> Any:
    return select(Group.id).where(Group.public_id == public_id).scalar_subquery()


@app.get("/circles/<public_id>/naive")
@login_required
def naive(public_id: str) -> str:
    """The tutorial way: whole ORM objects (every column, the body too), newest first."""
    entries = (
        Entry.query.filter(Entry.circle_id == _circle_id(public_id))
        .order_by(Entry.created_at.desc())
        .limit(ROWS)
        .all()
    )
    return render_template_string(PAGE, entries=entries, user=current_user)


@app.get("/circles/<public_id>/columns")
@login_required
def columns(public_id: str) -> str:
    """The same page selecting only the columns it shows."""
    entries = db.session.execute(
        select(Entry.title, Entry.created_at, Entry.excerpt)
        .where(Entry.circle_id == _circle_id(public_id))
        .order_by(Entry.created_at.desc())
        .limit(ROWS)
    ).all()
    return render_template_string(PAGE, entries=entries, user=current_user)
