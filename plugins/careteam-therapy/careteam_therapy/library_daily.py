"""The library's activities and daily-living strategies (see library.py).

Written in our own words from published MS guidance on walking, fatigue management (plan,
prioritise, pace, position) and heat sensitivity; sources in the plugin README.  Strategies
are habits rather than sets and reps, so most have no dose: doing it that day is the log.
"""

from __future__ import annotations

from typing import Any

from .library_exercises import EVERY_DAY, HEAT, STOP, TIRED

ACTIVITIES: tuple[dict[str, Any], ...] = (
    dict(
        slug="rollator-walk",
        title="Walk with your rollator",
        kind="activity",
        instructions=(
            "1. Check the brakes work and the handles are at wrist height.\n"
            "2. Plan a route with a place to sit halfway.\n"
            "3. Stand up, then take the brakes off.\n"
            "4. Walk tall, inside the frame, not behind it.\n"
            "5. Walk at a pace where you can still talk.\n"
            "6. Sit on the seat to rest. Put both brakes on first."
        ),
        minutes=10,
        per_week=5,
        precautions="\n".join(
            (
                "- Always put the brakes on before you sit on the rollator.",
                "- Walk in the cooler part of the day if heat bothers you.",
                "- Turn back before you are tired: the walk home counts too.",
                STOP,
            )
        ),
        alt="A person walking upright inside a four-wheeled rollator.",
    ),
    dict(
        slug="seated-pedals",
        title="Pedalling: exercise bike or seated pedals",
        kind="activity",
        instructions=(
            "1. Sit on the bike, or on a firm chair with the pedals in front of it.\n"
            "2. Put the pedals on a mat so they do not slide.\n"
            "3. Strap your feet in if your feet slip off.\n"
            "4. Pedal gently for 2 minutes to warm up.\n"
            "5. Pedal a bit faster. You should be able to talk, but not sing.\n"
            "6. Slow down for the last 2 minutes."
        ),
        minutes=10,
        per_week=3,
        precautions="\n".join(
            (
                "- Use a fan and keep a cold drink near.",
                "- Split the time into two short goes if that suits you better.",
                STOP,
                TIRED,
            )
        ),
        alt="A person sitting on a chair, pedalling a small pedal exerciser on the floor.",
    ),
)

STRATEGIES: tuple[dict[str, Any], ...] = (
    dict(
        slug="sit-to-dress",
        title="Sit down to get dressed",
        kind="strategy",
        instructions=(
            "1. Lay out your clothes the night before, in the order you put them on.\n"
            "2. Sit on a firm chair or the edge of the bed, feet flat.\n"
            "3. Dress the weaker arm or leg first.\n"
            "4. Cross one leg over the other to reach your foot, or use a long-handled "
            "shoe horn.\n"
            "5. Stand up only to pull trousers up, holding something steady.\n"
            "6. Take a short rest before you go on with your day."
        ),
        weekdays=EVERY_DAY,
        keep_in_flare=True,
        precautions="\n".join(
            (
                "- Choose loose clothes, elastic waists and slip-on shoes.",
                "- Dress somewhere cool: a hot bathroom can make you more tired.",
            )
        ),
        alt="A person sitting on the edge of a bed pulling on a trouser leg, clothes laid out "
        "beside them.",
    ),
    dict(
        slug="planned-rests",
        title="Planned rests (pacing)",
        kind="strategy",
        instructions=(
            "1. In the morning, list what you want to do today.\n"
            "2. Pick what matters most. Move the rest to another day, or ask for help.\n"
            "3. Put the hardest task at your best time of day.\n"
            "4. Split big jobs into small parts.\n"
            "5. Rest before you feel worn out: sit or lie down, eyes closed, quiet.\n"
            "6. Set a timer so the rest happens."
        ),
        minutes=15,
        weekdays=EVERY_DAY,
        times_per_day=2,
        keep_in_flare=True,
        precautions="\n".join(
            (
                "- A rest means no screen, no reading and no chores.",
                "- Long daytime sleeps can spoil your night: keep rests short unless your "
                "therapist says otherwise.",
            )
        ),
        alt="A person resting in an armchair with eyes closed, a clock beside them.",
    ),
    dict(
        slug="cooling",
        title="Keep cool (heat sensitivity)",
        kind="strategy",
        instructions=(
            "1. Keep a cold drink with you, and sip it through the day.\n"
            "2. Use a fan, or open a window, before you get hot.\n"
            "3. Cool down before and after exercise: a cool wet cloth on your neck helps.\n"
            "4. Wear light, loose layers you can take off.\n"
            "5. Have a lukewarm shower, not a hot one.\n"
            "6. On hot days, do the hardest tasks early or late."
        ),
        weekdays=EVERY_DAY,
        keep_in_flare=True,
        precautions="\n".join(
            (
                HEAT,
                "- If symptoms do not settle once you are cool, or you have a fever, call "
                "your GP or MS team.",
                "- Wrap cold packs in a cloth: never put one from the freezer on bare skin.",
            )
        ),
        alt="A person sitting in front of an electric fan, holding a cold drink.",
    ),
    dict(
        slug="kitchen-set-up",
        title="Set up the kitchen to save energy",
        kind="strategy",
        instructions=(
            "1. Keep the things you use every day between hip and shoulder height.\n"
            "2. Put rarely used things up high or down low.\n"
            "3. Sit on a perching stool to prepare food and wash up.\n"
            "4. Slide pans along the worktop instead of carrying them.\n"
            "5. Use a trolley to move plates and food.\n"
            "6. Cook double and freeze half for a tired day."
        ),
        per_week=1,
        keep_in_flare=True,
        precautions="\n".join(
            (
                "- Ask for help to move heavy things around.",
                "- Your occupational therapist can advise on a perching stool's height.",
            )
        ),
        alt="A person on a tall perching stool at a kitchen counter, with a trolley beside them.",
    ),
    dict(
        slug="shower-seat-transfer",
        title="Shower seat and safe transfers",
        kind="strategy",
        instructions=(
            "1. Set the water to lukewarm before you get in.\n"
            "2. Put soap, sponge and towel within reach of the seat.\n"
            "3. Back up until you feel the seat behind your legs.\n"
            "4. Hold the grab rail, not the towel rail, and sit down slowly.\n"
            "5. Wash sitting down. Use a long-handled sponge for your feet.\n"
            "6. Dry off sitting down, then stand with the grab rail."
        ),
        weekdays=EVERY_DAY,
        keep_in_flare=True,
        precautions="\n".join(
            (
                "- Use a non-slip mat inside and outside the shower.",
                "- Hot water can bring on MS symptoms: keep it lukewarm.",
                "- Have someone in the house the first few times.",
            )
        ),
        alt="A person sitting on a shower seat under a shower head, holding a grab rail.",
    ),
)
