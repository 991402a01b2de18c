"""URL-argument factories for CareTeam's route-wide tests (entry point careteam.test_factories).

Each makes a real object in the test circle, so the permission matrix and the cross-circle
probes can visit every therapy page.
"""

from __future__ import annotations
