"""The library's exercises (see library.py): keyword arguments for ``LibraryEntry``.

Written in our own words from published MS exercise guidance (sources in the plugin README).
Readers are often tired: short numbered steps, plain words, one action a step.  Doses are
low starting points (two sets of 8-10, holds of 20-30 seconds) that a therapist raises.
"""

from __future__ import annotations

from typing import Any

MON_WED_FRI = (0, 2, 4)
TUE_THU_SAT = (1, 3, 5)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)

# Lines most exercises share; each entry adds what is particular to it.
STOP = "- **Stop** if you feel dizzy, sick, short of breath or have chest pain. Sit down and rest."
TIRED = (
    "- Stop while you still have some energy left. MS fatigue can hit the next day if you "
    "push through."
)
HEAT = (
    "- If heat makes your symptoms worse, exercise in a cool room and keep a cold drink "
    "near. Symptoms from heat usually settle as you cool down."
)
CHAIR_BEHIND = "- Have a sturdy chair right behind you, so you can sit down at any time."
PAIN = "- A stretch should pull, not hurt. Sharp pain means stop."

EXERCISES: tuple[dict[str, Any], ...] = (
    dict(
        slug="sit-to-stand",
        title="Sit to stand",
        kind="exercise",
        instructions=(
            "1. Sit near the front of a firm chair. Put the chair against a wall.\n"
            "2. Put your feet flat, hip-width apart, a little behind your knees.\n"
            "3. Lean forward, nose over toes.\n"
            "4. Push through your feet and stand up tall. Use your hands on the chair arms "
            "if you need to.\n"
            "5. Reach back for the chair. Sit down slowly and gently.\n"
            "6. Rest a moment, then repeat."
        ),
        sets=2,
        reps=8,
        weekdays=MON_WED_FRI,
        precautions="\n".join(
            (
                "- Use a chair with arms that does not slide. A wall behind it helps.",
                "- Sit down slowly: do not drop into the chair.",
                STOP,
                TIRED,
            )
        ),
        alt="A person halfway between sitting and standing, leaning forward over their feet, "
        "in front of a chair with arms.",
    ),
    dict(
        slug="seated-marching",
        title="Seated marching",
        kind="exercise",
        instructions=(
            "1. Sit up tall in a firm chair, feet flat on the floor.\n"
            "2. Hold the sides of the seat if you like.\n"
            "3. Lift one knee up, as high as is comfortable.\n"
            "4. Put the foot down gently.\n"
            "5. Lift the other knee. Keep going, left and right, like marching.\n"
            "6. Breathe normally. Do not lean back."
        ),
        sets=2,
        reps=10,
        per_week=5,
        precautions="\n".join(("- Count one lift of each leg as one rep.", STOP, TIRED, HEAT)),
        alt="A person sitting upright on a chair with one knee lifted, as if marching.",
    ),
    dict(
        slug="ankle-stretch-strap",
        title="Calf and ankle stretch with a strap",
        kind="exercise",
        instructions=(
            "1. Sit on the bed or floor with your legs out in front. Lean back on pillows "
            "if that is easier.\n"
            "2. Loop a strap, belt or towel around the ball of one foot.\n"
            "3. Keep your knee as straight as is comfortable.\n"
            "4. Gently pull the strap towards you, so your toes come up.\n"
            "5. Feel a stretch in the back of your calf. Hold it still. Do not bounce.\n"
            "6. Relax. Repeat, then change legs."
        ),
        sets=1,
        reps=3,
        hold_seconds=30,
        weekdays=EVERY_DAY,
        times_per_day=2,
        keep_in_flare=True,
        precautions="\n".join(
            (
                PAIN,
                "- If your leg jumps or stiffens (a spasm), ease off and wait for it to pass.",
                "- Breathe slowly while you hold.",
            )
        ),
        alt="A person sitting with one leg straight, pulling a strap looped around the ball "
        "of the foot.",
    ),
    dict(
        slug="standing-balance",
        title="Standing balance at the counter",
        kind="exercise",
        instructions=(
            "1. Stand facing a kitchen counter, close enough to hold it.\n"
            "2. Put a sturdy chair right behind you.\n"
            "3. Hold the counter with both hands. Stand tall, feet hip-width apart.\n"
            "4. Bring your feet closer together. Look straight ahead.\n"
            "5. Lighten your grip: one hand, then fingertips, if you feel steady.\n"
            "6. Hold the position. Then rest with both hands on the counter."
        ),
        sets=1,
        reps=3,
        hold_seconds=20,
        per_week=5,
        precautions="\n".join(
            (
                CHAIR_BEHIND,
                "- Have someone nearby the first few times.",
                "- Keep a hand close to the counter the whole time.",
                "- Do not close your eyes unless your therapist has said so.",
                STOP,
                TIRED,
            )
        ),
        alt="A person standing with feet together at a kitchen counter, fingertips on the "
        "counter, a chair behind them.",
    ),
    dict(
        slug="heel-raises",
        title="Heel raises at the counter",
        kind="exercise",
        instructions=(
            "1. Stand facing a counter and hold on with both hands.\n"
            "2. Put a sturdy chair behind you.\n"
            "3. Stand tall, feet hip-width apart.\n"
            "4. Slowly rise up onto your toes.\n"
            "5. Slowly lower your heels back down.\n"
            "6. Keep your knees soft, not locked."
        ),
        sets=2,
        reps=10,
        weekdays=MON_WED_FRI,
        precautions="\n".join((CHAIR_BEHIND, STOP, TIRED)),
        alt="A person holding a kitchen counter and standing up on their toes, a chair behind "
        "them.",
    ),
    dict(
        slug="bridging",
        title="Bridging",
        kind="exercise",
        instructions=(
            "1. Lie on your back on the bed. Bend your knees. Feet flat, hip-width apart.\n"
            "2. Put your arms by your sides.\n"
            "3. Squeeze your bottom muscles.\n"
            "4. Lift your bottom off the bed, a little or a lot.\n"
            "5. Hold, breathing normally.\n"
            "6. Lower slowly. Rest, then repeat."
        ),
        sets=2,
        reps=8,
        hold_seconds=3,
        weekdays=TUE_THU_SAT,
        precautions="\n".join(
            (
                "- Do it on a firm bed, not a soft one.",
                "- Stop if your back hurts.",
                "- Roll onto your side before you sit up.",
                TIRED,
            )
        ),
        alt="A person lying on their back with knees bent and hips lifted off the bed.",
    ),
    dict(
        slug="seated-knee-extension",
        title="Seated knee straightening",
        kind="exercise",
        instructions=(
            "1. Sit back in a firm chair, feet flat.\n"
            "2. Slowly straighten one knee until the leg is out in front.\n"
            "3. Pull your toes up towards you.\n"
            "4. Hold, breathing normally.\n"
            "5. Slowly lower the foot to the floor.\n"
            "6. Do all the reps, then change legs."
        ),
        sets=2,
        reps=10,
        hold_seconds=3,
        weekdays=TUE_THU_SAT,
        precautions="\n".join(
            ("- Your therapist may add a light ankle weight later.", STOP, TIRED)
        ),
        alt="A person sitting on a chair with one leg straightened out in front.",
    ),
    dict(
        slug="wall-push-ups",
        title="Wall push-ups",
        kind="exercise",
        instructions=(
            "1. Stand facing a wall, about an arm's length away.\n"
            "2. Put your hands flat on the wall at shoulder height.\n"
            "3. Keep your body straight, like a plank.\n"
            "4. Bend your elbows and bring your chest towards the wall.\n"
            "5. Push back until your arms are straight.\n"
            "6. Breathe out as you push."
        ),
        sets=2,
        reps=8,
        weekdays=(1, 3),
        precautions="\n".join(
            (
                "- Stand closer to the wall to make it easier.",
                "- Wear shoes that grip, so your feet do not slide.",
                STOP,
                TIRED,
            )
        ),
        alt="A person leaning in towards a wall with hands flat on it and elbows bent.",
    ),
    dict(
        slug="side-lying-hip-abduction",
        title="Side-lying leg lift",
        kind="exercise",
        instructions=(
            "1. Lie on your side on the bed. Bend the bottom knee to keep you steady.\n"
            "2. Keep the top leg straight, in line with your body.\n"
            "3. Lift the top leg towards the ceiling, a little way.\n"
            "4. Keep your toes pointing forward, not up.\n"
            "5. Lower it slowly.\n"
            "6. Do all the reps, then turn over and change legs."
        ),
        sets=2,
        reps=8,
        weekdays=MON_WED_FRI,
        precautions="\n".join(
            ("- Do not roll backwards to lift higher.", "- Stop if your hip hurts.", TIRED)
        ),
        alt="A person lying on their side, lifting the top leg straight up.",
    ),
    dict(
        slug="hand-putty",
        title="Hand and grip exercises with putty",
        kind="exercise",
        instructions=(
            "1. Sit at a table with your arm resting on it.\n"
            "2. Roll the putty into a ball.\n"
            "3. Squeeze it in your fist as hard as is comfortable. Hold.\n"
            "4. Let go and spread your fingers wide.\n"
            "5. Pinch pieces off between your thumb and each finger.\n"
            "6. Roll it back into a ball. Change hands."
        ),
        sets=1,
        reps=10,
        hold_seconds=5,
        weekdays=EVERY_DAY,
        keep_in_flare=True,
        precautions="\n".join(
            (
                "- Use the softness of putty your therapist gave you.",
                "- Stop if your hand or wrist hurts, or goes numb.",
                "- Keep putty away from small children and pets.",
            )
        ),
        alt="A hand squeezing a ball of putty on a table.",
    ),
    dict(
        slug="deep-breathing",
        title="Deep breathing",
        kind="exercise",
        instructions=(
            "1. Sit well supported, or lie with your head on a pillow.\n"
            "2. Put one hand on your tummy.\n"
            "3. Breathe in slowly through your nose. Feel your tummy rise.\n"
            "4. Hold the breath for a moment.\n"
            "5. Breathe out slowly through pursed lips, as if blowing out a candle.\n"
            "6. Rest for a few normal breaths, then repeat."
        ),
        sets=2,
        reps=5,
        hold_seconds=3,
        weekdays=EVERY_DAY,
        times_per_day=2,
        keep_in_flare=True,
        precautions="\n".join(
            (
                "- If you feel light-headed, breathe normally for a while.",
                "- Do not force the breath in or out.",
            )
        ),
        alt="A person sitting in a chair with one hand on their tummy, breathing out slowly.",
    ),
    dict(
        slug="seated-hamstring-stretch",
        title="Seated back-of-thigh stretch",
        kind="exercise",
        instructions=(
            "1. Sit near the front of a firm chair.\n"
            "2. Put one leg out straight, heel on the floor, toes up.\n"
            "3. Keep the other foot flat.\n"
            "4. Sit up tall and lean forward from your hips, back straight.\n"
            "5. Feel a stretch behind your thigh. Hold it still.\n"
            "6. Sit back. Repeat, then change legs."
        ),
        sets=1,
        reps=3,
        hold_seconds=30,
        weekdays=EVERY_DAY,
        keep_in_flare=True,
        precautions="\n".join(
            (PAIN, "- Do not bounce.", "- Use a chair that will not tip or slide.")
        ),
        alt="A person sitting on the edge of a chair with one leg straight out, leaning forward.",
    ),
)
