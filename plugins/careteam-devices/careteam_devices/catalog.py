"""Device kinds, check frequencies, and the checklist the plugin ships for each kind.

The checklists are written for this plugin from published maintenance guidance (device makers'
instructions, orthotic and seating services' care leaflets).  They are a sensible start; a
therapist or orthotist can copy one and change it for a particular person's device.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    CANE = "cane"
    QUAD_CANE = "quad_cane"
    WALKER = "walker"
    ROLLATOR = "rollator"
    MANUAL_WHEELCHAIR = "manual_wheelchair"
    POWER_WHEELCHAIR = "power_wheelchair"
    CUSHION = "cushion"
    AFO = "afo"
    BRACE = "brace"
    SHOWER_CHAIR = "shower_chair"
    GRAB_BARS = "grab_bars"
    OTHER = "other"


KIND_LABELS: dict[str, str] = {
    Kind.CANE: "Cane",
    Kind.QUAD_CANE: "Quad cane",
    Kind.WALKER: "Walker",
    Kind.ROLLATOR: "Rollator",
    Kind.MANUAL_WHEELCHAIR: "Manual wheelchair",
    Kind.POWER_WHEELCHAIR: "Power wheelchair",
    Kind.CUSHION: "Wheelchair cushion",
    Kind.AFO: "AFO / ankle splint",
    Kind.BRACE: "Knee or other brace",
    Kind.SHOWER_CHAIR: "Shower chair",
    Kind.GRAB_BARS: "Grab bars",
    Kind.OTHER: "Other device",
}


class Frequency(StrEnum):
    EACH_USE = "each_use"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    SIX_MONTHLY = "six_monthly"


FREQUENCY_LABELS: dict[str, str] = {
    Frequency.EACH_USE: "Before each use",
    Frequency.DAILY: "Daily",
    Frequency.WEEKLY: "Weekly",
    Frequency.MONTHLY: "Monthly",
    Frequency.SIX_MONTHLY: "Every 6 months",
}


@dataclass(frozen=True)
class ShippedItem:
    text: str
    frequency: Frequency
    # What to look for, and what to do when it is not right.
    guidance: str = ""


E, D, W, M, S = (
    Frequency.EACH_USE,
    Frequency.DAILY,
    Frequency.WEEKLY,
    Frequency.MONTHLY,
    Frequency.SIX_MONTHLY,
)

_CANE = (
    ShippedItem(
        "Rubber tip: tread not worn smooth, no cracks or splits",
        W,
        "A smooth or split tip slips on wet floors. Replace it (tips are cheap and sold by size).",
    ),
    ShippedItem(
        "Height button fully clicked into its hole",
        E,
        "Press the shaft down once before walking; a half-engaged button lets the cane shorten.",
    ),
    ShippedItem(
        "Handle at wrist-crease height, elbow slightly bent when holding it",
        M,
        "Stand in usual shoes, arms relaxed: the handle should meet the crease of the wrist.",
    ),
    ShippedItem("Handle firm on the shaft, no wobble or sharp edges", M),
    ShippedItem("Shaft straight, no dents or bends", M),
)

CHECKLISTS: dict[str, tuple[ShippedItem, ...]] = {
    Kind.CANE: _CANE,
    Kind.QUAD_CANE: (
        *_CANE,
        ShippedItem("All four feet on the floor at once; base not bent", W),
    ),
    Kind.WALKER: (
        ShippedItem("All rubber feet or glides present and not worn through", W),
        ShippedItem("Height buttons on every leg clicked in at the same hole", E),
        ShippedItem("Frame folds and locks open firmly", W),
        ShippedItem("Hand grips secure and not torn", M),
    ),
    Kind.ROLLATOR: (
        ShippedItem(
            "Brakes stop the wheels when squeezed and hold when pushed down to park",
            E,
            "Test on a slope before sitting on the seat. If it rolls with the brakes on, do not "
            "use the seat until the brakes are adjusted.",
        ),
        ShippedItem(
            "Brake cables: no fraying, and a little slack (not tight, not hanging loose)",
            W,
            "A cable that is too tight drags the brake; too loose and the brake no longer holds.",
        ),
        ShippedItem("Wheels free of hair, thread and debris; they turn without wobble", W),
        ShippedItem("Front casters swivel freely", W),
        ShippedItem("Seat and backrest straps firm, not torn", W),
        ShippedItem("Frame locks fully open; height handles clicked in", E),
        ShippedItem("Tyres not cracked or worn flat", M),
    ),
    Kind.MANUAL_WHEELCHAIR: (
        ShippedItem(
            "Tyres: pressure as printed on the tyre wall; tread not worn",
            W,
            "Soft tyres make pushing harder and weaken the wheel locks.",
        ),
        ShippedItem("Wheel locks (brakes) hold the chair still on a slope", E),
        ShippedItem("Axle nuts and quick-release axles tight; wheels do not wobble", M),
        ShippedItem("Anti-tippers in place and locked", E),
        ShippedItem("Seat and back upholstery not sagging or torn", M),
        ShippedItem("Front casters spin and swivel freely, no hair wound round them", W),
        ShippedItem("Footplates and armrests secure", W),
        ShippedItem("Full service by the wheelchair service or supplier", S),
    ),
    Kind.POWER_WHEELCHAIR: (
        ShippedItem("Battery charged overnight; charger and cable undamaged", D),
        ShippedItem("Joystick returns to centre and the chair stops when released", E),
        ShippedItem("Tyres not worn or soft", W),
        ShippedItem("Seat belt and positioning straps fasten and hold", E),
        ShippedItem("Anti-tippers in place", W),
        ShippedItem("Lights and horn work", M),
        ShippedItem("Full service by the supplier", S),
    ),
    Kind.CUSHION: (
        ShippedItem(
            "No bottoming out: slide a flat hand under the seat bones, there should be room",
            D,
            "If the hand is pinched, the cushion needs air (air cushions) or replacing (foam).",
        ),
        ShippedItem("Air or gel cells not leaking; cushion holds its shape", W),
        ShippedItem("Cover not torn, wet or worn thin; fitted the right way round", W),
        ShippedItem("Skin under the seat bones checked for redness", D),
    ),
    Kind.AFO: (
        ShippedItem(
            "Skin check each time the brace comes off",
            E,
            "Look at the ankle bones, heel, top of the foot and the calf. Redness that is still "
            "there 20-30 minutes after taking the brace off means it presses too hard: stop "
            "wearing it and call the orthotist. Reduced feeling (common in MS) means the person "
            "may not notice a sore starting.",
        ),
        ShippedItem("Straps and hook-and-loop fasteners grip and are not frayed", D),
        ShippedItem(
            "No cracks in the plastic, especially around the ankle",
            W,
            "A cracked brace no longer lifts the foot safely: stop using it and call the "
            "orthotist.",
        ),
        ShippedItem("Sock taller than the brace, without wrinkles", E),
        ShippedItem(
            "Shoes with the same heel height as the brace was made for",
            E,
            "A different heel height tips the leg forward or back and changes the knee.",
        ),
        ShippedItem("Liner and padding clean and not worn through", W),
        ShippedItem("Review fit with the orthotist", S),
    ),
    Kind.BRACE: (
        ShippedItem("Skin under the brace checked for redness or rubbing", E),
        ShippedItem("Straps grip; hinges move smoothly without catching", W),
        ShippedItem("No cracks or sharp edges on the shell", W),
        ShippedItem("Review fit with the orthotist or therapist", S),
    ),
    Kind.SHOWER_CHAIR: (
        ShippedItem("Rubber feet on all legs; chair does not rock", W),
        ShippedItem("Height buttons clicked in on every leg", W),
        ShippedItem("No rust or cracks in the frame or seat", M),
    ),
    Kind.GRAB_BARS: (
        ShippedItem(
            "Bar does not move when pulled hard in every direction",
            M,
            "A bar that moves even a little needs refixing into the wall by someone qualified.",
        ),
        ShippedItem("Grip surface clean, not slippery", W),
    ),
    Kind.OTHER: (ShippedItem("Device works as expected and shows no damage", W),),
}
