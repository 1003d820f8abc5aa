"""The Teams app package a Teams admin uploads: manifest.json and the two icons, zipped.

The manifest shipped in ``pmobot.manifest`` (``teams/manifest.json``) names a
placeholder app; ``build_package`` fills in the app's id (the Entra app id,
which is also the bot's id) and the domain pmobot is served from.
"""

from __future__ import annotations

import json
import re
import zipfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

ICONS = ("color.png", "outline.png")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^(\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(:\d+)?$")


def _folder() -> Traversable:
    return resources.files("pmobot.manifest").joinpath("teams")


def template() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(_folder().joinpath("manifest.json").read_text(encoding="utf-8"))
    return manifest


def render(*, app_id: str, domain: str) -> dict[str, Any]:
    """The manifest for this installation; ValueError says what is wrong with the arguments."""
    if not _GUID.match(app_id or ""):
        raise ValueError(f"the app id must be the Entra application (client) id, a GUID; got {app_id!r}")
    domain = domain.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not _DOMAIN.match(domain):
        raise ValueError(f"the domain must be a host name such as bot.example.org; got {domain!r}")
    manifest = template()
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    manifest["validDomains"] = [domain]
    site = f"https://{domain}/"
    manifest["developer"] = {**manifest["developer"], "websiteUrl": site, "privacyUrl": site + "privacy",
                             "termsOfUseUrl": site + "terms"}
    return manifest


def build_package(*, app_id: str, domain: str, out: str | Path) -> Path:
    """Write the zip (manifest.json, color.png, outline.png at its root); returns its path."""
    manifest = render(app_id=app_id, domain=domain)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for name in ICONS:
            archive.writestr(name, _folder().joinpath(name).read_bytes())
    return path
