"""How the plugin platform reads a circle: functions the circles package hands over.

The platform sits below the features that call it, so it imports none of their models.  What it
needs of a circle -- its public id for an event, the circle itself for a permission hook asked
outside the circle's own pages -- the circles package gives it when the app is set up
(:func:`use_circle_reads`), as it gives the circle guard its membership loader.  One of them
writes: removing a plugin for good clears its saved settings from every circle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

_KEY = "careteam_circle_reads"


@dataclass(frozen=True)
class CircleReads:
    # The circle's public id ("" for a circle deleted since the event was queued).
    public_id: Callable[[int], str]
    # The circle with this database id.
    circle: Callable[[int], Any]
    # Delete a plugin's saved settings from every circle (the caller commits); how many had some.
    forget_plugin_settings: Callable[[str], int]


def use_circle_reads(app: Flask, reads: CircleReads) -> None:
    """Set the functions the platform reads circles with (:mod:`careteam.circles`)."""
    app.extensions[_KEY] = reads


def circle_reads() -> CircleReads:
    return current_app.extensions[_KEY]
