"""URL-argument factories for CareTeam's route-wide tests (entry point careteam.test_factories).

Each makes a real object in the test circle, as the circle's therapist (who may manage
devices), so the permission matrix and the cross-circle probes can visit every devices page.
"""

from __future__ import annotations

from typing import Any

from careteam.api import Circle, db, membership_of
from careteam.testing import register_url_argument

from . import checks, inventory


def _as_manager(app: Any, setup: Any):
    circle = db.session.get(Circle, setup.id)
    return circle, membership_of(circle, setup.people["therapist"].id)


def make_device(app: Any, setup: Any, kind: str = "rollator", name: str = "Rollator") -> str:
    """Add a device with its shipped checklist to the test circle; return its public id."""
    with app.app_context():
        circle, manager = _as_manager(app, setup)
        device = inventory.add_device(
            circle, manager, inventory.DeviceInput(kind=kind, name=name), f"shipped:{kind}"
        )
        db.session.commit()
        return device.public_id


def _device(app: Any, setup: Any, _role: str | None) -> str:
    return make_device(app, setup)


# The device each check factory made, per test circle: a check's page needs both ids, and the
# route tests fill URL arguments in name order (check_id before device_id).
_DEVICE_OF_LAST_CHECK: dict[str, str] = {}


def _check(app: Any, setup: Any, _role: str | None) -> str:
    device_id = make_device(app, setup)
    _DEVICE_OF_LAST_CHECK[setup.public_id] = device_id
    with app.app_context():
        circle, manager = _as_manager(app, setup)
        device = inventory.get_device(circle, device_id)
        check = checks.start_check(device, manager, checks.new_start_token())
        db.session.commit()
        return check.public_id


def _problem(app: Any, setup: Any, _role: str | None) -> str:
    device_id = make_device(app, setup)
    with app.app_context():
        circle, manager = _as_manager(app, setup)
        device = inventory.get_device(circle, device_id)
        check = checks.start_check(device, manager, checks.new_start_token())
        db.session.flush()
        first = checks.check_items(check)[0]
        answers = {first.item_public_id: checks.Answer("attention", "brake slips")}
        [problem] = checks.save_check(check, device, manager, answers, version=1, finish=False)
        db.session.commit()
        return problem.public_id


def _template(app: Any, setup: Any, _role: str | None) -> str:
    with app.app_context():
        circle, manager = _as_manager(app, setup)
        template = inventory.create_template(
            circle, manager, "Our cane check", "cane", "shipped:cane"
        )
        db.session.commit()
        return template.public_id


def _device_of_check(app: Any, setup: Any, _role: str | None) -> str:
    return _DEVICE_OF_LAST_CHECK[setup.public_id]


register_url_argument("device_id", _device)
register_url_argument("problem_id", _problem)
register_url_argument("template_id", _template)
register_url_argument("check_id", _check)
register_url_argument("device_id", _device_of_check, endpoint="devices.run_check")
