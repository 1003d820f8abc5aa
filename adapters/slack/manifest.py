"""The Slack app manifest (``manifest/slack/manifest.yaml``) with its URLs filled in."""

from __future__ import annotations

from importlib import resources
from urllib.parse import urlsplit

import yaml

PLACEHOLDER = "__PMOBOT_URL__"


def manifest_text() -> str:
    return resources.files("pmobot.manifest").joinpath("slack/manifest.yaml").read_text(encoding="utf-8")


def bot_scopes() -> tuple[str, ...]:
    """The scopes an OAuth installation asks for: the manifest's, each justified there."""
    data = yaml.safe_load(manifest_text())
    return tuple(data["oauth_config"]["scopes"]["bot"])


def render_manifest(*, url: str) -> str:
    """The manifest as YAML (comments kept) with every request URL under ``url``."""
    base = url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r} (e.g. https://pmobot.example.org)")
    if parts.query or parts.fragment:
        raise ValueError(f"the URL must not have a query or fragment: {url!r}")
    return manifest_text().replace(PLACEHOLDER, base)
