"""``python -m bench``: seed a database, run the scenarios, or both (see ``--help``)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
