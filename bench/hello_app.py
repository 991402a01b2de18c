"""The baseline: a bare Flask "hello" route, served by gunicorn with the same settings as CareTeam.

Every scenario's throughput is divided by this app's, measured in the same run, so a figure
means the same on a busy laptop and on a quiet server.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
