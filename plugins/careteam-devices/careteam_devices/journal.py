"""The note a check can post to the circle's journal, through core's note service only."""

from __future__ import annotations

from typing import Any

from careteam.api import Circle, NoteError, create_note, db, literal_markdown, member_can

from .inventory import DeviceError
from .models import Check, CheckItem, Device


def post_journal_note(check: Check, device: Device, membership: Any, items: list[CheckItem]):
    """Tell the care team about what needs attention, through core's note service."""
    attention = [i for i in items if i.result == "attention"]
    if not attention or not member_can(membership, "notes.write"):
        return
    circle = db.session.get(Circle, device.circle_id)
    # Names and comments are what people typed, not Markdown: they must read as typed.
    name = literal_markdown(device.name)
    lines = [f"Safety check of **{name}**: {len(attention)} item(s) need attention."]
    lines += [""] + [
        f"- {literal_markdown(i.text)}" + (f": {literal_markdown(i.comment)}" if i.comment else "")
        for i in attention
    ]
    # A skin check that fails is a symptom to watch, not only a device fault.
    skin = any("skin" in i.text.lower() for i in attention)
    try:
        note = create_note(
            circle,
            membership,
            title=f"{device.name}: needs attention",
            body="\n".join(lines),
            category="symptoms" if skin else "update",
            audience="care_team",
            tags=["devices"],
        )
    except NoteError as error:  # the whole save is refused; the form keeps every answer
        raise DeviceError(f"The journal note could not be posted: {error}", "post_note") from error
    check.journal_note_id = note.public_id
