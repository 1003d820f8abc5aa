"""Commands about people: their roles (PMO admins) and the language pmobot uses with them."""

from __future__ import annotations

from pmobot.commands.registry import Command, Commands, OneOf, PersonThen, Request
from pmobot.conversation.text import fold
from pmobot.domain.roles import Role
from pmobot.i18n import LOCALES, t
from pmobot.messages import Message, Notice
from pmobot.services import people

# "/pmo role @bob it", "+it", "-it": what may follow the person.
_ROLE_WORDS = frozenset({"it", "committee", "pmo", "requester", "+it", "-it", "+committee", "-committee", "+pmo",
                         "-pmo"})
# "/pmo role @bob it remove"
_REMOVE_WORDS = frozenset({"remove", "off", "retirer", "supprimer", "enlever"})
_ROLE_ORDER = (Role.REQUESTER, Role.IT, Role.COMMITTEE, Role.PMO)


def role_names(locale: str, roles: frozenset[str]) -> str:
    """A person's roles as words, in a fixed order."""
    return ", ".join(t(locale, f"role.{r}") for r in _ROLE_ORDER if r in roles)


async def _role(r: Request) -> list[Message]:
    parts = r.args.text.split()
    target = await people.find(r.session, core=r.core, platform=r.actor.person.platform, reference=parts[0],
                               directory=r.directory)
    if len(parts) == 1:
        assert target.id is not None  # a stored person
        roles = await people.roles_of(r.session, person_id=target.id)
        return [Notice(t(r.locale, "chat.roles_of", who=target.display_name, roles=role_names(r.locale, roles)))]
    role = parts[1]
    grant = True
    if role.startswith("-"):
        role, grant = role[1:], False
    elif role.startswith("+"):
        role = role[1:]
    if len(parts) > 2 and fold(parts[2]) in _REMOVE_WORDS:
        grant = False
    roles = await people.set_role(r.session, core=r.core, admin=r.actor, target=target, role=role, grant=grant)
    return [Notice(t(r.locale, "chat.roles_now", who=target.display_name, roles=role_names(r.locale, roles)),
                   "success")]


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
    commands.add(Command("lang", ("lang", "langue", "language"), OneOf(frozenset({"en", "fr"})), _lang))
