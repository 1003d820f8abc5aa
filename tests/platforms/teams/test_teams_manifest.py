"""The Teams app package: manifest valid against the v1.29 schema, the icons Teams asks for, the zip."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest
from support.refs import REFS as ALL_REFS

from pmobot.adapters.teams import icons
from pmobot.adapters.teams.manifest import build_package, render, template
from pmobot.commands.builtin import builtin_commands

REFS = ALL_REFS / "teams"
APP_ID = "6f1d2a6e-1234-4abc-8def-0123456789ab"
REPO = Path(__file__).resolve().parents[3]


def teams_schema() -> dict:
    # Declared draft-04 but uses const/if/then: a Draft-07 validator, and \p{L} that Python's re cannot compile.
    text = (REFS / "MicrosoftTeams.schema.json").read_text(encoding="utf-8").replace("\\\\p{L}", "[^\\\\W\\\\d_]")
    return json.loads(text)


def schema_errors(manifest: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(teams_schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(manifest)]


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of a non-interlaced 8-bit RGBA PNG (what icons.png writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (depth, color) == (8, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    pixels = []
    for y in range(height):
        row = raw[y * stride:(y + 1) * stride]
        assert row[0] == 0
        pixels += [tuple(row[1 + 4 * x:5 + 4 * x]) for x in range(width)]  # type: ignore[misc]
    return width, height, pixels  # type: ignore[return-value]


def test_the_manifest_uses_the_newest_version_the_schema_describes() -> None:
    schema = teams_schema()
    assert template()["manifestVersion"] == schema["properties"]["manifestVersion"]["const"] == "1.29"
    assert "v1.29" in template()["$schema"]


def test_the_rendered_manifest_passes_the_teams_schema() -> None:
    manifest = render(app_id=APP_ID, domain="bot.example.org")
    assert schema_errors(manifest) == []
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["bot.example.org"]
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}


def test_the_schema_check_can_fail() -> None:
    manifest = render(app_id=APP_ID, domain="bot.example.org")
    manifest["bots"][0]["scopes"] = ["everywhere"]
    manifest["id"] = "not-a-guid"
    assert len(schema_errors(manifest)) >= 2


def test_the_command_lists_name_real_commands() -> None:
    known = {c.name for c in builtin_commands()} | {"set it-channel"}
    for command_list in template()["bots"][0]["commandLists"]:
        titles = [c["title"] for c in command_list["commands"]]
        assert set(titles) <= known and len(titles) == len(set(titles))
    personal = {c["title"] for c in template()["bots"][0]["commandLists"][0]["commands"]}
    assert {"new", "status", "mine", "queue", "help", "claim", "ask", "answer", "estimate", "withdraw"} <= personal


@pytest.mark.parametrize(("app_id", "domain"), [("nope", "bot.example.org"), (APP_ID, "not a domain/")])
def test_bad_arguments_are_refused_with_a_reason(app_id: str, domain: str) -> None:
    with pytest.raises(ValueError, match=r"app id|domain"):
        render(app_id=app_id, domain=domain)


def test_icons_have_the_sizes_and_colours_teams_asks_for() -> None:
    folder = REPO / "manifest" / "teams"
    width, height, _ = read_png((folder / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    width, height, pixels = read_png((folder / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    # White on transparent: every pixel is either transparent or opaque white, and both occur.
    assert set(pixels) == {(0, 0, 0, 0), (255, 255, 255, 255)}


def test_the_committed_icons_are_what_the_script_draws() -> None:
    folder = REPO / "manifest" / "teams"
    assert (folder / "color.png").read_bytes() == icons.color_icon()
    assert (folder / "outline.png").read_bytes() == icons.outline_icon()


def test_the_package_holds_the_manifest_and_the_icons(tmp_path: Path) -> None:
    path = build_package(app_id=APP_ID, domain="bot.example.org", out=tmp_path / "pmobot-teams.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert read_png(archive.read("outline.png"))[:2] == (32, 32)
        assert read_png(archive.read("color.png"))[:2] == (192, 192)
    assert manifest["id"] == APP_ID and schema_errors(manifest) == []


def test_the_cli_builds_the_package(tmp_path: Path) -> None:
    out = tmp_path / "pkg.zip"
    result = subprocess.run([sys.executable, "-m", "pmobot", "manifest", "teams", "--app-id", APP_ID,
                             "--domain", "bot.example.org", "--out", str(out)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(out)
    bad = subprocess.run([sys.executable, "-m", "pmobot", "manifest", "teams", "--app-id", "x", "--domain", "d.org",
                          "--out", str(tmp_path / "bad.zip")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert bad.returncode == 2 and re.search("app id", bad.stderr)
