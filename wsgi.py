"""Run CareTeam from a checkout: ``flask --app wsgi run`` or ``gunicorn wsgi:app``."""

from careteam.wsgi import app

__all__ = ["app"]
