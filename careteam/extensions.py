"""Flask extensions, created unbound and initialised in ``create_app``.

Flask-Migrate is not here: it lives in :mod:`careteam.db.migrating`, because importing it loads
Alembic, which a web worker never uses.
"""

from collections.abc import Iterable, Mapping

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """Declarative base for every CareTeam table, core and plugins alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def set_changed(self, names: Iterable[str], values: Mapping[str, object]) -> list[str]:
        """Set each field of ``names`` that ``values`` gives a different value; return the
        names of those that changed (an edit that changes nothing then records nothing)."""
        changed = []
        for name in names:
            if name in values and getattr(self, name) != values[name]:
                setattr(self, name, values[name])
                changed.append(name)
        return changed


db = SQLAlchemy(model_class=Model)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


# Limits read from the app's settings at request time, so each app (and test) uses its own.
def login_limit() -> str:
    """The rate limit of forms that check a password (``RATELIMIT_LOGIN``)."""
    return current_app.config["RATELIMIT_LOGIN"]


def email_limit() -> str:
    """The rate limit of forms that send an email (``RATELIMIT_ACCOUNT_EMAILS``)."""
    return current_app.config["RATELIMIT_ACCOUNT_EMAILS"]
