"""The WSGI app for web servers: ``gunicorn -c python:careteam.gunicorn_conf careteam.wsgi:app``.

Built with ``for_web_server=True``, so workers leave out what only commands use.
"""

from . import create_app

app = create_app(for_web_server=True)
