"""Write a folder all or nothing: into a hidden folder beside it, then renamed into place."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from .names import check_folder


def write_folder(folder: Path, files: Mapping[str, str]) -> None:
    """Create ``folder`` holding ``files`` ({relative path: text}); on any error, nothing.

    Raises :class:`~careteam.scaffold.names.ScaffoldRefused` when ``folder`` exists or its
    parent does not.
    """
    check_folder(folder)
    # Beside the target, so the rename stays on one file system and is a single step.
    staging = folder.parent / f".{folder.name}.{secrets.token_hex(4)}.partial"
    staging.mkdir()
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as out:
                out.write(text)
        check_folder(folder)  # something may have appeared there meanwhile
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
