"""Commands about people: their roles (PMO admins), who they are on which platform, where
their notifications go, and the language pmobot uses with them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmobot.commands.registry import Arguments, Command, Commands, OneOf, PersonThen, Request
from pmobot.conversation.text import fold
from pmobot.domain.models import Person
from pmobot.domain.roles import Role, Side
from pmobot.i18n import LOCALES, t
from pmobot.messages import Message, Notice
from pmobot.services import people, reach, sides

# French names of roles, folded.
_ROLE_ALIASES = {"securite": "security", "comite": "committee", "dsi": "it", "demandeur": "requester"}
_GRANTED = ("it", "committee", "pmo", "security", *_ROLE_ALIASES)
# "/pmo role @bob it", "+it", "-it": what may follow the person.
_ROLE_WORDS = frozenset({"requester", *_GRANTED, *(f"+{r}" for r in _GRANTED), *(f"-{r}" for r in _GRANTED)})
# "/pmo role @bob it remove"
_REMOVE_WORDS = frozenset({"remove", "off", "retirer", "supprimer", "enlever"})
_ROLE_ORDER = (Role.REQUESTER, Role.IT, Role.COMMITTEE, Role.SECURITY, Role.PMO)
# "/pmo whois me": oneself.
_SELF_WORDS = frozenset({"me", "moi", "myself"})
# "/pmo notify teams": the platforms a person may be told on, or the one they last wrote from.
_NOTIFY_WORDS = frozenset({"slack", "teams", "console", "auto"})


@dataclass(frozen=True)
class TwoPeople:
    """``/pmo link @alice alice@example.com``: exactly two people."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return len(words) in (0, 2)

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text) if len(text.split()) == 2 else None


def role_names(locale: str, roles: frozenset[str], side: Side | None = None) -> str:
    """A person's roles as words, in a fixed order; the committee with the side it sits for."""
    def name(role: Role) -> str:
        if role != Role.COMMITTEE:
            return t(locale, f"role.{role}")
        return f"{t(locale, 'role.committee')} ({t(locale, f'sides.{side}') if side else t(locale, 'sides.none')})"
    return ", ".join(name(r) for r in _ROLE_ORDER if r in roles)


async def _roles_line(r: Request, person: Person, key: str = "chat.roles_of") -> str:
    assert person.id is not None  # a stored person
    roles = await people.roles_of(r.session, person_id=person.id)
    side = await sides.side_of(r.session, person_id=person.id)
    return t(r.locale, key, who=person.display_name, roles=role_names(r.locale, roles, side))


async def _named(r: Request, reference: str) -> Person:
    if fold(reference) in _SELF_WORDS:
        return r.actor.person
    return await people.find(r.session, core=r.core, platform=r.actor.platform, reference=reference,
                             directory=r.directory)


async def _about(r: Request, person: Person) -> list[Message]:
    """Who someone is: roles, accounts, and where pmobot tells them things."""
    assert person.id is not None
    lines = [await _roles_line(r, person)]
    accounts = await people.accounts_of(r.session, person_id=person.id)
    lines.append(t(r.locale, "people.accounts", accounts=", ".join(
        f"{a.platform} ({a.email})" if a.email else a.platform for a in accounts)))
    notified = await reach.notified_account(r.session, person=person)
    if notified is not None:
        chosen = person.notify_platform == notified.platform
        lines.append(t(r.locale, "people.notified_chosen" if chosen else "people.notified_last",
                       platform=notified.platform))
    return [Notice("\n".join(lines))]


async def _whois(r: Request) -> list[Message]:
    return await _about(r, await _named(r, r.args.text.split()[0] if r.args.text.split() else "me"))


async def _role(r: Request) -> list[Message]:
    parts = r.args.text.split()
    target = await _named(r, parts[0])
    if len(parts) == 1:
        return [Notice(await _roles_line(r, target))]
    role = fold(parts[1])
    grant = True
    if role.startswith("-"):
        role, grant = role[1:], False
    elif role.startswith("+"):
        role = role[1:]
    role = _ROLE_ALIASES.get(role, role)
    third = fold(parts[2]) if len(parts) > 2 else ""
    if third in _REMOVE_WORDS:
        grant = False
    # "/pmo role @carla committee business": the side is checked before anything is granted.
    side = sides.parse_side(third) if third and grant and role == Role.COMMITTEE else None
    roles = await people.set_role(r.session, core=r.core, admin=r.actor, target=target, role=role, grant=grant)
    assert target.id is not None
    if side is not None:
        await sides.set_side(r.session, core=r.core, admin=r.actor, target=target, side=side)
    out: list[Message] = [Notice(await _roles_line(r, target, "chat.roles_now"), "success")]
    if Role.COMMITTEE in roles and await sides.side_of(r.session, person_id=target.id) is None:
        # A member without a side cannot vote: say so now, and how to give one.
        out.append(Notice(t(r.locale, "sides.missing", who=target.display_name, handle=parts[0]), "warning"))
    return out


async def _link(r: Request) -> list[Message]:
    first, second = r.args.text.split()
    one = await people.link(r.session, core=r.core, admin=r.actor, first=await _named(r, first),
                            second=await _named(r, second))
    return [Notice(t(r.locale, "people.linked", who=one.display_name), "success"), *await _about(r, one)]


async def _notify(r: Request) -> list[Message]:
    chosen = await people.set_notify_platform(r.session, actor=r.actor, platform=r.args.text)
    if chosen is None:
        return [Notice(t(r.locale, "people.notify_auto"), "success")]
    return [Notice(t(r.locale, "people.notified_chosen", platform=chosen), "success")]


async def _lang(r: Request) -> list[Message]:
    if not r.args.text.strip():
        # "/pmo lang" alone: which language is spoken now, and which may be chosen.
        choices = ", ".join(f"{code} ({t(code, 'chat.language_name')})" for code in LOCALES)
        return [Notice(t(r.locale, "chat.lang_current", language=t(r.locale, "chat.language_name"),
                         choices=choices))]
    updated = await people.set_locale(r.session, core=r.core, actor=r.actor, locale=r.args.text)
    return [Notice(t(updated.locale, "chat.lang_set"), "success")]


def register(commands: Commands) -> None:
    commands.add(Command("role", ("role", "roles"), PersonThen(_ROLE_WORDS), _role, roles=frozenset({Role.PMO})))
    commands.add(Command("whois", ("whois", "quiest"), PersonThen(frozenset(), optional=True), _whois))
    commands.add(Command("link", ("link", "lier", "relier"), TwoPeople(), _link, roles=frozenset({Role.PMO})))
    commands.add(Command("notify", ("notify", "notifier", "prevenir"), OneOf(_NOTIFY_WORDS), _notify))
    commands.add(Command("lang", ("lang", "langue", "language"), OneOf(frozenset({"en", "fr"})), _lang))
