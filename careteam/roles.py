"""The roles a member can hold in a circle, and the groups of them that rules name.

Roles are per circle.  What each role may do is the capability table
(:mod:`careteam.permissions`); who may see a note or an appointment is the audience model
(:mod:`careteam.audience`).  Both build on these names, so this module imports nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The role a member holds in one circle (a person may hold different roles in different
    circles).  Compare with strings freely: ``Role.FAMILY == "family"``."""

    COORDINATOR = "coordinator"
    FAMILY = "family"
    CAREGIVER = "caregiver"
    THERAPIST = "therapist"
    SUPPORTER = "supporter"
    CARE_RECIPIENT = "care_recipient"


ROLE_LABELS: dict[Role, str] = {
    Role.COORDINATOR: "Coordinator",
    Role.FAMILY: "Family",
    Role.CAREGIVER: "Caregiver",
    Role.THERAPIST: "Therapist",
    Role.SUPPORTER: "Friend / supporter",
    Role.CARE_RECIPIENT: "Care recipient",
}

ALL_ROLES = frozenset(Role)
CARE_TEAM = frozenset(ALL_ROLES - {Role.SUPPORTER})
