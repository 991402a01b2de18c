"""Which version of ``careteam.api`` this CareTeam provides, and whether a plugin works with it.

A plugin's manifest names the versions it was written for as a range (``requires_api=">=1.0,<2"``,
pip's syntax), so an operator who upgrades CareTeam past what a plugin knows sees it listed as
failed, with the reason, instead of meeting errors on its pages.  docs/plugins.md keeps the
changelog: the minor number grows when the surface gains something, the major one when anything
is removed or changes meaning.
"""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet

API_VERSION = "1.2"


def check_api_version(requires_api: str) -> None:
    """Raise ValueError when ``requires_api`` (empty: not pinned) excludes ``API_VERSION``."""
    if not requires_api:
        return
    try:
        versions = SpecifierSet(requires_api)
    except InvalidSpecifier:
        raise ValueError(f"requires_api {requires_api!r} is not a version range") from None
    if API_VERSION not in versions:
        raise ValueError(f"needs careteam.api {requires_api}; this CareTeam provides {API_VERSION}")
