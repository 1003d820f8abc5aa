"""The scoring policy file: loaded and checked at start, every error naming its line.

The default ships in the package (``pmobot/policy.yaml``); ``PMOBOT_POLICY_FILE``
points at the organisation's own. A policy that could rank needs wrongly is
refused at start with the file, the line and what is possible instead, never
half-used. Versions and what moved in the ranking: ``services.policy_changes``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from yaml.nodes import Node, ScalarNode, SequenceNode

from pmobot.domain.models_governance import PolicyVersion
from pmobot.domain.scoring import (
    ASSESSMENT,
    CHOICE_SOURCES,
    NUMERIC_SOURCES,
    SOURCES,
    Band,
    Criterion,
    Method,
    Part,
    Policy,
    Quorum,
    source_kind,
)
from pmobot.domain.tracking_policy import TrackingPolicy
from pmobot.i18n import LOCALES
from pmobot.services.policy_reader import PolicyError as PolicyError
from pmobot.services.policy_reader import Reader, shown
from pmobot.services.policy_tracking import parse_tracking

if TYPE_CHECKING:
    from pmobot.services.core import Core


DEFAULT_SOURCE = "pmobot/policy.yaml (the default)"

_TOP = ("method", "scale", "criteria", "committee", "roadmap", "tracking")
_CRITERION = ("from", "label", "question", "part", "weight", "bands", "per", "points", "times", "missing")
_QUORUM = ("business_approvals", "it_approvals", "rejection_blocks")


def _bands(r: Reader, node: Node, what: str) -> tuple[Band, ...]:
    if not isinstance(node, SequenceNode) or not node.value:
        raise r.fail(node, f"{what} must be a list of bands, e.g. - {{up_to: 30, points: 8}}")
    bands: list[Band] = []
    for i, item in enumerate(node.value):
        entries = r.mapping(item, f"{what} band {i + 1}", ("up_to", "points"))
        if "points" not in entries:
            raise r.fail(item, f"{what} band {i + 1} needs points")
        points = r.number(entries["points"][1], f"{what} band {i + 1}: points")
        up_to = r.number(entries["up_to"][1], f"{what} band {i + 1}: up_to") if "up_to" in entries else None
        if bands and bands[-1].up_to is None:
            raise r.fail(item, f"{what} band {i + 1} follows a band without up_to, which already takes the rest")
        if up_to is not None and bands and bands[-1].up_to is not None and up_to <= bands[-1].up_to:
            raise r.fail(item, f"{what} band {i + 1}: up_to must grow from one band to the next")
        bands.append(Band(points=points, up_to=up_to))
    return tuple(bands)


def _criterion(r: Reader, cid: str, key: Node, node: Node, method: Method) -> Criterion:
    what = f"criterion {cid!r}"
    if not cid.isidentifier():
        raise r.fail(key, f"{what}: a criterion's name is made of letters, digits and _")
    entries = r.mapping(node, what, _CRITERION)
    if "from" not in entries:
        raise r.fail(node, f"{what} needs 'from:' (where its figure comes from: {', '.join(SOURCES)})")
    source_node = entries["from"][1]
    source = r.plain(source_node) if isinstance(source_node, ScalarNode) else None
    if source not in SOURCES:
        raise r.fail(source_node, f"{what} comes from {shown(source_node)}, an unknown criterion source; "
                                  f"pmobot knows {', '.join(SOURCES)}")
    assert isinstance(source, str)

    def get(name: str) -> Node | None:
        return entries[name][1] if name in entries else None

    def refuse(name: str, why: str) -> None:
        if name in entries:
            raise r.fail(entries[name][0], f"{what}: {name} {why}")

    if "label" not in entries:
        raise r.fail(node, f"{what} needs a label in {', '.join(LOCALES)} (how the breakdown names it)")
    label = r.localized(entries["label"][1], f"{what} label")
    question: dict[str, str] = {}
    if source == ASSESSMENT:
        q = get("question")
        if q is None:
            raise r.fail(node, f"{what} is rated in the assessment: give it a question in {', '.join(LOCALES)}")
        question = r.localized(q, f"{what} question")
    else:
        refuse("question", "is only for criteria rated in the assessment")
    part_node = get("part")
    part = Part.VALUE
    if part_node is not None:
        raw = r.plain(part_node) if isinstance(part_node, ScalarNode) else None
        if raw not in tuple(Part):
            raise r.fail(part_node, f"{what}: part must be value or size, not {shown(part_node)}")
        part = Part(str(raw))
    if part == Part.SIZE:
        if method != Method.WSJF:
            raise r.fail(part_node or node, f"{what}: only wsjf divides by a size; with {method} give bands "
                                            "that award more points to smaller jobs")
        if source not in NUMERIC_SOURCES or source_kind(source) != "estimate":
            raise r.fail(part_node or node, f"{what}: a size comes from estimate.effort_likely")
    weight_node = get("weight")
    weight = 1.0 if weight_node is None else r.number(weight_node, f"{what}: weight", positive=True)
    if part == Part.SIZE:
        refuse("weight", "does not apply to the size (wsjf divides by it)")
    bands: tuple[Band, ...] = ()
    per: float | None = None
    points: dict[str, float] = {}
    if source in NUMERIC_SOURCES:
        refuse("points", "is for choices; a number becomes points by bands or per")
        bands_node, per_node = get("bands"), get("per")
        if (bands_node is None) == (per_node is None):
            raise r.fail(node, f"{what}: give either bands or per, to turn its figure into points")
        if bands_node is not None:
            bands = _bands(r, bands_node, what)
        if per_node is not None:
            per = r.number(per_node, f"{what}: per", positive=True)
    elif source in CHOICE_SOURCES:
        refuse("bands", "is for numbers; a choice becomes points by points: {low: .., medium: .., high: ..}")
        refuse("per", "is for numbers")
        if get("points") is None:
            raise r.fail(node, f"{what} needs points for each of {', '.join(CHOICE_SOURCES[source])}")
        points = r.choice_table(entries["points"][1], source, f"{what} points", positive=False)
    else:
        for name in ("bands", "per", "points"):
            refuse(name, "does not apply: an assessment's rating is its points")
    times: dict[str, dict[str, float]] = {}
    if "times" in entries:
        for tsource, (tkey, tnode) in r.mapping(entries["times"][1], f"{what} times").items():
            if tsource not in CHOICE_SOURCES:
                raise r.fail(tkey, f"{what}: times takes {', '.join(CHOICE_SOURCES)}, not {tsource!r}")
            times[tsource] = r.choice_table(tnode, tsource, f"{what} times {tsource}", positive=True)
    missing = 0.0
    if "missing" in entries:
        if source_kind(source) != "intake":
            raise r.fail(entries["missing"][0], f"{what}: missing is for intake figures a requester may leave out")
        missing = r.number(entries["missing"][1], f"{what}: missing")
    return Criterion(id=cid, source=source, label=label, part=part, weight=weight, question=question,
                     bands=bands, per=per, points=points, times=times, missing=missing)


def _agreed_scope(r: Reader, node: Node) -> bool:
    """``committee: require_agreed_scope``: true (the default) or false."""
    entries = r.mapping(node, "committee", ("quorum", "require_agreed_scope"))
    if "require_agreed_scope" not in entries:
        return True
    value = r.plain(entries["require_agreed_scope"][1])
    if not isinstance(value, bool):
        raise r.fail(entries["require_agreed_scope"][1], "committee require_agreed_scope must be true or false")
    return value


def _quorum(r: Reader, node: Node) -> Quorum:
    entries = r.mapping(node, "committee", ("quorum", "require_agreed_scope"))
    if "quorum" not in entries:
        return Quorum()
    q = r.mapping(entries["quorum"][1], "committee quorum", _QUORUM)
    counts = {name: int(r.number(q[name][1], f"quorum {name}", at_least=0)) for name in _QUORUM[:2] if name in q}
    blocks = True
    if "rejection_blocks" in q:
        value = r.plain(q["rejection_blocks"][1])
        if not isinstance(value, bool):
            raise r.fail(q["rejection_blocks"][1], "quorum rejection_blocks must be true or false")
        blocks = value
    return Quorum(rejection_blocks=blocks, **counts)


def parse(text: str, source: str) -> Policy:
    """A policy from its YAML text; ``PolicyError`` naming the line when it cannot be used."""
    r = Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if root is None:
        raise PolicyError(f"{source}: the policy is empty; it needs a method and criteria")
    top = r.mapping(root, "the policy", _TOP)
    if "method" not in top:
        raise r.fail(root, "the policy needs a method: wsjf or weighted")
    method_node = top["method"][1]
    method_name = r.plain(method_node) if isinstance(method_node, ScalarNode) else None
    if method_name not in tuple(Method):
        raise r.fail(method_node, f"unknown method {shown(method_node)}: use wsjf or weighted")
    method = Method(str(method_name))
    scale_min, scale_max = 1.0, 10.0
    if "scale" in top:
        scale = r.mapping(top["scale"][1], "scale", ("min", "max"))
        scale_min = r.number(scale["min"][1], "scale min") if "min" in scale else scale_min
        scale_max = r.number(scale["max"][1], "scale max") if "max" in scale else scale_max
        if scale_min >= scale_max:
            raise r.fail(top["scale"][1], "scale min must be below scale max")
    if "criteria" not in top:
        raise r.fail(root, "the policy needs criteria")
    criteria = tuple(_criterion(r, cid, key, node, method)
                     for cid, (key, node) in r.mapping(top["criteria"][1], "criteria").items())
    values = [c for c in criteria if c.part == Part.VALUE]
    sizes = [c for c in criteria if c.part == Part.SIZE]
    if not values:
        raise r.fail(top["criteria"][1], "the criteria need at least one value to add up")
    if method == Method.WSJF and len(sizes) != 1:
        raise r.fail(top["criteria"][1], f"wsjf divides by one size: mark exactly one criterion 'part: size' "
                                         f"(found {len(sizes)})")
    quorum = _quorum(r, top["committee"][1]) if "committee" in top else Quorum()
    agreed_scope = _agreed_scope(r, top["committee"][1]) if "committee" in top else True
    roadmap: Mapping[str, Any] = {}
    if "roadmap" in top:
        r.mapping(top["roadmap"][1], "roadmap")
        roadmap = r.plain(top["roadmap"][1])
    tracking = parse_tracking(r, top["tracking"][1]) if "tracking" in top else TrackingPolicy()
    document = r.plain(root)
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False,
                                       separators=(",", ":")).encode()).hexdigest()
    return Policy(method=method, criteria=criteria, scale_min=scale_min, scale_max=scale_max, quorum=quorum,
                  require_agreed_scope=agreed_scope, roadmap=roadmap, tracking=tracking, digest=digest,
                  document=document, source=source)


def from_document(document: Mapping[str, Any], source: str) -> Policy:
    """A policy again from the document stored with its version (to rank under an earlier version)."""
    return parse(yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False), source)


def load_default() -> Policy:
    text = resources.files("pmobot").joinpath("policy.yaml").read_text(encoding="utf-8")
    return parse(text, DEFAULT_SOURCE)


def load_file(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror or exc})") from None
    return parse(text, str(path))


def load(policy_file: Path | None) -> Policy:
    """The organisation's policy when a file is set (``PMOBOT_POLICY_FILE``), else the default."""
    return load_file(policy_file) if policy_file else load_default()


# -- versions ---------------------------------------------------------------------------


async def version_of(session: AsyncSession, *, core: Core) -> int:
    """The version number of the policy in force: its row found by digest, or made now (the next number)."""
    # A version stored by another unit of work is committed and never changes: kept by the core, not read
    # again for every score. One made by this unit of work may still roll back, so it is read again next time.
    known = core.policy_versions.get(core.policy.digest)
    if known is not None:
        return known
    row, created = await ensure_version(session, core=core)
    if not created and core.policy.digest not in session.info.get(_MADE_HERE, ()):
        core.policy_versions[core.policy.digest] = row.version
    return row.version


# The session's record of the policy versions it wrote (not committed until it is).
_MADE_HERE = "pmobot.policy_versions_made"


async def ensure_version(session: AsyncSession, *, core: Core) -> tuple[PolicyVersion, bool]:
    """The PolicyVersion row of the policy in force, and whether it was created by this call.

    The same content is the same version (its digest is unique); of two
    replicas starting with a new file at once, one writes the row and the
    other reads it.
    """
    policy = core.policy
    found = (await session.exec(select(PolicyVersion).where(PolicyVersion.digest == policy.digest))).first()
    if found is not None:
        return found, False
    for _ in range(3):
        last = (await session.exec(select(func.max(PolicyVersion.version)))).one()
        row = PolicyVersion(version=(last or 0) + 1, digest=policy.digest, method=str(policy.method),
                            document=dict(policy.document), source=policy.source[:500], loaded_at=core.now())
        try:
            async with session.begin_nested():
                session.add(row)
            session.info.setdefault(_MADE_HERE, set()).add(policy.digest)
            return row, True
        except IntegrityError:
            found = (await session.exec(select(PolicyVersion).where(PolicyVersion.digest == policy.digest))).first()
            if found is not None:
                return found, False
    raise RuntimeError("could not record the policy version")  # pragma: no cover - three lost races in a row
