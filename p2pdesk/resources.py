"""The one place that finds p2pdesk's plain-file resources (schemas, the demo case, templates).

Works from a checkout or an editable install (``resources/`` beside the package), from a frozen
build (``resources/`` inside the bundle), or from ``P2PDESK_RESOURCES`` when a packager puts them
elsewhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_root() -> Path:
    override = os.environ.get("P2PDESK_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of a resource file; FileNotFoundError names it when it is missing."""
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"p2pdesk resource missing: {path}")
    return path
