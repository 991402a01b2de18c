"""Run CareTeam from a checkout: ``flask --app wsgi run`` or ``gunicorn wsgi:app``."""

from careteam import create_app

app = create_app(for_web_server=True)
