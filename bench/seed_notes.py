"""Seeder phase: the journal -- notes with their revision, tags, read markers, comments, audit.

Each note gets exactly what ``notes.service.create_note`` writes (one ``note_revisions`` row,
``note_tags`` rows, the author's read marker, a ``note.created`` audit row), plus pins, trash
and the bench user's read markers.  The excerpt comes from the service's own helper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from careteam.audience import Audience, can_see
from careteam.audit import AuditEvent
from careteam.db.types import new_public_id
from careteam.notes.markdown import excerpt
from careteam.notes.models import (
    TAG_SEPARATOR,
    Category,
    Note,
    NoteComment,
    NoteRead,
    NoteRevision,
    NoteTag,
)
from careteam.notes.service import writable_audiences
from careteam.roles import CARE_TEAM

from . import corpus
from .seed_people import audit_row
from .seed_world import Batches, CircleInfo, Member, World

JOURNAL_YEARS = 3
_CATEGORY_WEIGHTS = {
    Category.UPDATE: 3,
    Category.SYMPTOMS: 3,
    Category.MEDICATION: 2,
    Category.MOOD_ENERGY: 2,
    Category.SHIFT_HANDOFF: 4,
    Category.DOCTOR_QUESTION: 1,
}
_AUDIENCE_WEIGHTS = {
    Audience.EVERYONE: 30,
    Audience.CARE_TEAM: 52,
    Audience.COORDINATORS: 8,
    Audience.ONLY_ME: 10,
}


@dataclass(frozen=True)
class NoteInfo:
    """What later phases need of a note (comments, the hello counter)."""

    id: int
    public_id: str
    circle_index: int
    author_id: int
    audience: str
    created_at: object
    deleted: bool


class _Membership:
    """Enough of a membership for the audience helpers (``user_id`` and ``role``)."""

    def __init__(self, member: Member) -> None:
        self.user_id, self.role = member.user_id, member.role


def _note_circles(world: World) -> list[int]:
    """Return the circle index of every note, oldest first: 10 % in the busy circle."""
    rng, total = world.rng, world.scale.notes
    busy = total // 10
    weights = [rng.lognormvariate(0, 0.8) for _ in world.circles[1:]]
    others = rng.choices(range(1, len(world.circles)), weights=weights, k=total - busy)
    placed = [0] * busy + others
    rng.shuffle(placed)
    return placed


def _planted_words(world: World, busy_positions: list[int]) -> dict[int, list[str]]:
    """Choose which busy-circle notes carry which planted search word."""
    rng, terms = world.rng, corpus.SEARCH_TERMS
    planted: dict[int, list[str]] = {}
    for position in busy_positions:
        if rng.random() < 0.6:
            planted.setdefault(position, []).append(terms["common"])
        if rng.random() < 0.02:
            planted.setdefault(position, []).append(terms["medium"])
    for position in rng.sample(busy_positions, min(3, len(busy_positions))):
        planted.setdefault(position, []).append(terms["rare"])
    return planted


def seed_notes(world: World) -> list[NoteInfo]:
    """Write the scale's notes (all but the busy note, which the service writes later)."""
    rng, now = world.rng, world.now
    total = world.scale.notes - 1
    placed = _note_circles(world)[:total]
    busy_positions = [i for i, c in enumerate(placed) if c == 0]
    planted = _planted_words(world, busy_positions)
    rare = {i for i, words in planted.items() if corpus.SEARCH_TERMS["rare"] in words}
    span = JOURNAL_YEARS * 365 * 86400
    times = sorted(now - timedelta(seconds=rng.randrange(span)) for _ in range(total))
    writers = {
        index: [_Membership(m) for m in c.with_roles(CARE_TEAM)]
        for index, c in enumerate(world.circles)
    }
    bench_id = next(iter(world.users))
    tables = [Note.__table__, NoteRevision.__table__, NoteTag.__table__, NoteRead.__table__]
    batches = Batches(world, [*tables, AuditEvent.__table__], Note.__table__)
    infos: list[NoteInfo] = []
    categories, category_weights = list(_CATEGORY_WEIGHTS), list(_CATEGORY_WEIGHTS.values())
    world.progress.phase("notes", total)
    for position, (circle_index, created) in enumerate(zip(placed, times, strict=True)):
        circle = world.circles[circle_index]
        author = rng.choice(writers[circle_index])
        category = rng.choices(categories, category_weights)[0].value
        allowed = writable_audiences(author)
        audience = rng.choices(list(_AUDIENCE_WEIGHTS), list(_AUDIENCE_WEIGHTS.values()))[0]
        audience = audience.value if audience.value in allowed else Audience.CARE_TEAM.value
        if position in rare:  # the bench user must find these
            audience = Audience.CARE_TEAM.value
        text = corpus.note_text(rng, category, planted.get(position, []))
        tags = corpus.tags(rng)
        deleted = position not in rare and rng.random() < 0.003
        info = NoteInfo(
            world.new_id(Note.__table__),
            new_public_id(),
            circle_index,
            author.user_id,
            audience,
            created,
            deleted,
        )
        infos.append(info)
        _add_note(world, batches, circle, info, author, category, text, tags)
        if circle_index == 0 and author.user_id != bench_id and rng.random() < 0.5:
            bench = _Membership(circle.members[0])
            if can_see(audience, author.user_id, bench):
                batches.add(
                    NoteRead.__table__,
                    {
                        "note_id": info.id,
                        "user_id": bench_id,
                        "seen_version": 1,
                        "read_at": created + timedelta(hours=rng.randint(1, 48)),
                    },
                )
    batches.flush()
    world.progress.end_phase()
    return infos


def _add_note(world, batches, circle: CircleInfo, info: NoteInfo, author, category, text, tags):
    rng, now = world.rng, world.now
    public_id = info.public_id
    tags_text = TAG_SEPARATOR.join(tags)
    pinned = not info.deleted and rng.random() < 0.004
    deleted_at = None
    if info.deleted:
        age = (now - info.created_at).total_seconds()
        deleted_at = now - timedelta(seconds=rng.uniform(0, min(age, 25 * 86400)))
    batches.add(
        Note.__table__,
        {
            "id": info.id,
            "public_id": public_id,
            "circle_id": circle.id,
            "author_id": info.author_id,
            "title": text.title,
            "body": text.body,
            # Same as excerpt(text.body): the lead holds whole blocks well past the cut.
            "excerpt": excerpt(text.lead),
            "category": category,
            "tags_text": tags_text,
            "audience": info.audience,
            "pinned": pinned,
            "version": 1,
            "created_at": info.created_at,
            "updated_at": info.created_at,
            "updated_by_id": info.author_id,
            "deleted_at": deleted_at,
            "deleted_by_id": info.author_id if info.deleted else None,
        },
    )
    batches.add(
        NoteRevision.__table__,
        {
            "note_id": info.id,
            "version": 1,
            "title": text.title,
            "body": text.body,
            "category": category,
            "tags_text": tags_text,
            "audience": info.audience,
            "edited_by_id": info.author_id,
            "created_at": info.created_at,
        },
    )
    for tag in tags:
        batches.add(NoteTag.__table__, {"note_id": info.id, "circle_id": circle.id, "tag": tag})
    batches.add(
        NoteRead.__table__,
        {"note_id": info.id, "user_id": info.author_id, "seen_version": 1,
         "read_at": info.created_at},
    )  # fmt: skip
    common = {
        "circle_id": circle.id,
        "object_type": "note",
        "object_id": public_id,
        "object_audience": info.audience,
        "object_author_id": info.author_id,
    }
    batches.add(
        AuditEvent.__table__,
        audit_row(
            world, "note.created", info.created_at, actor_id=info.author_id,
            details={"category": category, "audience": info.audience}, **common,
        ),
    )  # fmt: skip
    if pinned:
        coordinator = circle.with_roles(["coordinator"])[0].user_id
        batches.add(
            AuditEvent.__table__,
            audit_row(world, "note.pinned", info.created_at, actor_id=coordinator, **common),
        )
    if deleted_at is not None:
        batches.add(
            AuditEvent.__table__,
            audit_row(world, "note.deleted", deleted_at, actor_id=info.author_id, **common),
        )


def seed_comments(world: World, notes: list[NoteInfo]) -> None:
    """Write the scale's comments under notes, each by a member who can see the note."""
    rng, now = world.rng, world.now
    total = world.scale.comments - world.scale.busy_note_comments
    live = [n for n in notes if not n.deleted]
    members = [[_Membership(m) for m in c.members] for c in world.circles]
    batches = Batches(world, [NoteComment.__table__, AuditEvent.__table__], NoteComment.__table__)
    world.progress.phase("comments", total)
    made = 0
    while made < total and live:
        note = rng.choice(live)
        author = rng.choice(members[note.circle_index])
        if not can_see(note.audience, note.author_id, author):
            continue
        created = min(note.created_at + timedelta(minutes=rng.randint(10, 4320)), now)
        public_id = new_public_id()
        batches.add(
            NoteComment.__table__,
            {
                "id": world.new_id(NoteComment.__table__),
                "public_id": public_id,
                "note_id": note.id,
                "author_id": author.user_id,
                "body": corpus.comment(rng),
                "created_at": created,
            },
        )
        batches.add(
            AuditEvent.__table__,
            audit_row(
                world, "note.commented", created, circle_id=world.circles[note.circle_index].id,
                object_type="note", object_id=note.public_id, actor_id=author.user_id,
                details={"comment": public_id}, object_audience=note.audience,
                object_author_id=note.author_id,
            ),
        )  # fmt: skip
        made += 1
    batches.flush()
    world.progress.end_phase()
