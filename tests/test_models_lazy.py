"""Relationships never load lazily: a missing eager load fails instead of querying per row."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, registry

from careteam.db.types import relationship
from careteam.extensions import db


def test_every_mapped_relationship_raises_on_lazy_load(app):
    with app.app_context():
        relationships = [
            (mapper.class_.__name__, rel.key, rel.lazy)
            for mapper in db.Model.registry.mappers
            for rel in mapper.relationships
        ]
    assert [r for r in relationships if r[2] != "raise"] == []


def test_the_helper_defaults_to_raise_and_keeps_explicit_choices():
    local = registry()

    @local.mapped
    class Parent:
        __tablename__ = "lazy_parent"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        children = relationship("Child")
        eager = relationship("Child", lazy="selectin", viewonly=True)

    @local.mapped
    class Child:
        __tablename__ = "lazy_child"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        parent_id: Mapped[int] = mapped_column(ForeignKey("lazy_parent.id"))

    local.configure()
    assert Parent.children.property.lazy == "raise"
    assert Parent.eager.property.lazy == "selectin"
    assert Child.__tablename__ == "lazy_child"
