"""``careteam demo``: run every feature's demo builder, then the plugins' demo hooks.

Features register their builders (:class:`careteam.registries.DemoBuilder`); builders run in
``order``, each returns lines to print (demo sign-ins and the like), and running twice changes
nothing.
"""

from __future__ import annotations

import logging

from flask import current_app

from .circles.demo import DEMO_CIRCLE_KEYS, demo_circle
from .extensions import db
from .plugins.enablement import set_enabled
from .registries import demo_builders

log = logging.getLogger(__name__)


def run_demo() -> list[str]:
    """Run every registered builder in order, then the plugins' demo hooks; return the lines.

    The demo circles get every installed plugin switched on, so trying the demo shows them all.
    """
    lines: list[str] = []
    for builder in demo_builders():
        lines.extend(builder.build())
        db.session.commit()
    _switch_on_plugins_in_demo_circles()
    host = current_app.extensions["careteam"]
    for impl in host.impls("careteam_demo_data"):
        try:
            result = impl.function()
            db.session.commit()
        except Exception:  # one plugin's broken demo must not stop the others
            db.session.rollback()
            log.exception("Plugin %s failed in careteam_demo_data", impl.plugin_name)
            lines.append(f"The {impl.plugin_name} plugin could not add its demo data (see log).")
            continue
        lines.extend(str(line) for line in result or [])
    return lines


def _switch_on_plugins_in_demo_circles() -> None:
    host = current_app.extensions["careteam"]
    for key in DEMO_CIRCLE_KEYS:
        circle = demo_circle(key)
        if circle is None:
            continue
        for name in host.plugins:
            set_enabled(circle, name, True, None)
    db.session.commit()
