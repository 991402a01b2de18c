"""Public ids: short, URL-safe, and never read as a formula or an option."""

import re

from careteam.db.types import new_public_id
from careteam.exports.csvfile import safe_cell


def test_public_ids_are_url_safe_and_start_with_a_letter_or_digit():
    ids = [new_public_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{11}", public_id) for public_id in ids)
    # The rest of the id still draws on the whole URL-safe alphabet.
    assert any("-" in public_id[1:] or "_" in public_id[1:] for public_id in ids)


def test_a_public_id_reads_the_same_in_a_csv_export_as_in_json():
    for _ in range(2000):
        public_id = new_public_id()
        assert safe_cell(public_id) == public_id
