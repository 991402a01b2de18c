"""Made-up but plausible care text for the benchmark seeder: notes, comments, appointments.

Everything here was written for the benchmark; nothing is copied.  The text is about living
with multiple sclerosis at home (foot drop, the ankle brace, fatigue, physio exercises, rides,
medication), so full-text search, excerpts and Markdown rendering work on realistic input.

Every function takes the caller's :class:`random.Random`, so a seed always gives the same text.
The planted search words (:data:`SEARCH_TERMS`) appear nowhere in the vocabulary below; the
seeder adds them to chosen notes with :func:`planted_sentence`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# rare: ~3 notes of the busy circle; medium: ~2 %; common: ~60 %; absent: none at all.
SEARCH_TERMS = {
    "rare": "harpsichord",
    "medium": "lighthouse",
    "common": "garden",
    "absent": "xylophone",
}

FIRST_NAMES = (
    "Maya", "Sam", "Ruth", "Ana", "Priya", "Joe", "Kim", "Tom", "Lena", "Omar", "Grace", "Felix",
    "Nora", "Idris", "Hana", "Mateo", "Zoe", "Arjun", "Elsa", "Kofi", "Mei", "Tariq", "Ines",
    "Luca", "Freya", "Dev", "Amara", "Jonas", "Leila", "Owen", "Rosa", "Yusuf", "Clara", "Emeka",
    "Ivy", "Niko", "Sofia", "Bram", "Aisha", "Theo", "Lina", "Marcus", "Esme", "Ravi", "Talia",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lindqvist", "Moreau", "Patel", "Nakamura", "Byrne", "Haddad", "Kowalski", "Silva",
    "Achebe", "Novak", "Reyes", "Brennan", "Larsen", "Mensah", "Costa", "Ibrahim", "Fischer",
    "Walsh", "Tanaka", "Duarte", "Quinn", "Sandoval", "Holm", "Adeyemi", "Marsh", "Petrov",
)  # fmt: skip
TIME_ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago")

_WHO = ("she", "he", "they")
_PARTS_OF_DAY = ("this morning", "after lunch", "in the afternoon", "this evening", "overnight")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EXERCISES = (
    "the sit-to-stand practice",
    "heel raises at the kitchen counter",
    "the hip bridges",
    "the balance work by the wall",
    "ankle circles and calf stretches",
    "the step-ups on the bottom stair",
    "ten minutes on the exercise bike",
)
_DEVICES = ("ankle brace", "AFO", "walking stick", "rollator", "wheelchair", "shower stool")
_MEDS = ("baclofen", "the evening tablets", "vitamin D", "the bladder medication", "ibuprofen")
_PLACES = ("the pharmacy", "the clinic", "the physio gym", "the supermarket", "the park bench")

_SENTENCES = (
    "Fatigue hit hard {part}, so {who} rested for an hour before trying anything else.",
    "We did {exercise} together; {who} managed two sets without needing a break.",
    "The {device} was rubbing near the ankle again, so we added the soft padding.",
    "Foot drop was more noticeable on the left today, especially on the uneven path.",
    "Took {med} at the usual time and there was no drowsiness worth mentioning.",
    "The walk to {place} went well, though the last stretch needed the {device}.",
    "Legs felt heavy and a bit numb {part}; a cool shower helped more than we expected.",
    "Slept badly because of the spasms, so the morning started slowly.",
    "Mood was bright {part} and there was plenty of chatting over breakfast.",
    "The physio said to keep {exercise} going daily and add one more repetition each week.",
    "Balance was shaky on the stairs, so please stay close when going down.",
    "Remember to charge the cooling vest; the forecast says it will be warm on {day}.",
    "Appetite was fine: soup, bread and some fruit, plus plenty of water.",
    "There was some tingling in the hands while writing, which passed after a while.",
    "We practised getting up from the floor safely, just in case of a fall.",
    "The new shoes fit the {device} much better than the old trainers did.",
    "Asked about the ride to {place} on {day}; it still needs a driver.",
    "Brain fog made the crossword impossible {part}, but it lifted by dinner.",
    "The occupational therapist suggested a perching stool for the kitchen.",
    "A short nap after lunch made the rest of the afternoon much easier.",
    "Bladder urgency was a nuisance overnight; worth raising with the nurse.",
    "Heat makes everything worse, so we kept the curtains closed and the fan on.",
    "Stretching before bed seems to reduce the cramps, so let's keep doing it.",
    "Vision was a little blurry in the right eye {part}; it settled within an hour.",
    "The pill organiser for next week is filled and sits on the kitchen shelf.",
)
_BULLETS = (
    "Brace on before standing",
    "Two sets of {exercise}",
    "Drink water with every meal",
    "Rest breaks every forty minutes",
    "Check the skin under the {device} for red marks",
    "Evening dose of {med}",
    "Keep the hallway clear of shoes",
    "Text the group when the ride is confirmed",
    "Note any new numbness for the neurologist",
    "Cool shower if the legs get heavy",
)
_HEADINGS = ("Plan for tomorrow", "For the next shift", "Questions", "Exercises", "Meds")
_BOLD = ("Important:", "For the next shift:", "Please note:", "Reminder:")

TITLES: dict[str, tuple[str, ...]] = {
    "update": ("A quieter week", "Quick update", "Good news today", "Weekend summary"),
    "symptoms": ("Leg weakness after the heat", "More foot drop today", "Numbness in the hands"),
    "medication": ("Baclofen dose change", "New prescription collected", "Missed evening dose"),
    "mood_energy": ("Low energy day", "Brighter mood", "Fatigue and brain fog"),
    "shift_handoff": ("Morning handoff", "Evening handoff", "Overnight handoff"),
    "doctor_question": ("For the neurologist", "Questions for the nurse", "Ask the physio"),
}
TAGS = (
    "fatigue", "foot drop", "AFO", "physio", "heat", "spasms", "sleep", "balance", "meds",
    "rides", "mood", "bladder", "vision", "neurologist", "exercise", "falls",
)  # fmt: skip
_COMMENTS = (
    "Thanks for writing this up, very helpful.",
    "I can take the morning shift on {day} if that helps.",
    "Same thing happened last month; the rest afterwards made the difference.",
    "Noted. I will bring the spare padding for the {device}.",
    "Could we ask the physio whether {exercise} is still right?",
    "Happy to drive to {place} on {day}.",
    "Glad the walk went well!",
    "Let's mention this at the next appointment.",
    "I picked up {med} from the pharmacy this afternoon.",
    "Sending love, hope tomorrow is an easier day.",
)
KIND_WORDS = (
    "So proud of you for keeping up the exercises this week.",
    "Thinking of you, and looking forward to tea on {day}.",
    "You make the hard days look brave. We're all with you.",
    "The whole family sends hugs. See you on {day}!",
    "Well done on the walk to {place}!",
)

APPOINTMENT_TITLES: dict[str, tuple[str, ...]] = {
    "neurologist": ("MS review with the neurologist", "Neurology follow-up"),
    "gp": ("GP check-up", "Blood test results with the GP"),
    "physical_therapy": ("Physio: gait and balance", "Physiotherapy session"),
    "occupational_therapy": ("OT home visit", "Occupational therapy review"),
    "support_group": ("MS support group", "Carers' coffee morning"),
    "test_scan": ("MRI scan", "Eye test"),
    "other": ("Brace fitting at orthotics", "Wheelchair service appointment"),
}
LOCATIONS = (
    "City Hospital, Neurology outpatients",
    "Riverside Physio, 12 Mill Lane",
    "Health Centre, Room 4",
    "Community Centre, Room 2",
    "Orthotics clinic, level 1",
    "",
)


@dataclass(frozen=True)
class NoteText:
    title: str
    body: str
    # The start of ``body``, cut at a sentence or line end at least LEAD_CHARS in (or all of
    # it): no Markdown construct spans that cut, so the excerpt helper gives the same result on
    # the lead as on the whole body, at a fraction of the cost.  The seeder's test checks it.
    lead: str


_SLOT_VALUES = {
    "who": _WHO,
    "part": _PARTS_OF_DAY,
    "day": _DAYS,
    "exercise": _EXERCISES,
    "device": _DEVICES,
    "med": _MEDS,
    "place": _PLACES,
}


class _Slots(dict):
    """Fill only the slots a template uses (a random choice each), in the order it uses them."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        return self.rng.choice(_SLOT_VALUES[key])


def _fill(rng: random.Random, template: str) -> str:
    return template.format_map(_Slots(rng))


def _paragraph(rng: random.Random, sentences: int, extra: list[str]) -> str:
    chosen = [_fill(rng, s) for s in rng.sample(_SENTENCES, sentences)]
    for sentence in extra:
        chosen.insert(rng.randrange(len(chosen) + 1), sentence)
    if rng.random() < 0.25:
        chosen[0] = f"**{rng.choice(_BOLD)}** {chosen[0]}"
    return " ".join(chosen)


def planted_sentence(rng: random.Random, word: str) -> str:
    """Return a sentence that uses a planted search word naturally."""
    templates = (
        "We sat in the {w} for a while and it lifted the mood.",
        "On the way back we talked about the {w} again.",
        "The {w} came up in conversation and made everyone smile.",
        "Someone mentioned the {w}, which was a nice distraction.",
    )
    return rng.choice(templates).format(w=word)


def note_text(rng: random.Random, category: str, planted: list[str]) -> NoteText:
    """Return a note of about 150 words: paragraphs, sometimes a list, a heading or bold."""
    extras = [planted_sentence(rng, word) for word in planted]
    blocks: list[str] = []
    for index in range(rng.choice((2, 3, 3))):
        mine = extras[index::3] if index < 3 else []
        blocks.append(_paragraph(rng, rng.randint(3, 4), mine))
    if rng.random() < 0.35:
        items = [_fill(rng, b) for b in rng.sample(_BULLETS, rng.randint(3, 4))]
        list_block = "\n".join(f"- {item}" for item in items)
        if rng.random() < 0.3:
            list_block = f"## {rng.choice(_HEADINGS)}\n\n{list_block}"
        blocks.insert(rng.randint(1, len(blocks)), list_block)
    body = "\n\n".join(blocks)
    return NoteText(rng.choice(TITLES[category]), body, _lead(body))


# The excerpt keeps 280 characters of plain text; Markdown syntax in the lead costs at most a
# few dozen, so this many characters of source always yield more than enough.
LEAD_CHARS = 400


def _lead(body: str) -> str:
    ends = [end for end in (body.find(". ", LEAD_CHARS), body.find("\n", LEAD_CHARS)) if end > 0]
    return body[: min(ends) + 1] if ends else body


def tags(rng: random.Random) -> list[str]:
    """Return 0 to 3 distinct tags."""
    return rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3)))


def comment(rng: random.Random) -> str:
    return _fill(rng, rng.choice(_COMMENTS))


def kind_word(rng: random.Random) -> str:
    return _fill(rng, rng.choice(KIND_WORDS))


def appointment_notes(rng: random.Random) -> str:
    return _fill(rng, rng.choice(_SENTENCES)) if rng.random() < 0.5 else ""


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
