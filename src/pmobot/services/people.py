"""People, their roles and their language, and the platform accounts they are reached by.

A person may have an account on several platforms (Slack and Teams): accounts
with the same e-mail, verified by their platform, are one person, and a PMO
admin may link two accounts the platforms cannot match. Roles, needs and
conversations belong to the person; a notification goes to the platform they
chose (``/pmo notify``), else to the one they last wrote from.

It passes 400 lines because finding someone by what was typed (``find``,
``find_known``) belongs with meeting them: ``find`` meets whom a platform's
directory names, with the same rules as a first message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from sqlalchemy import bindparam, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.text import clean_line
from pmobot.domain.models import Account, Person, RoleGrant
from pmobot.domain.roles import GRANTABLE_ROLES, PORTFOLIO_ROLES, Role
from pmobot.i18n import normalize_locale
from pmobot.services import audit, timezones
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, NotFound


@dataclass(eq=False)
class Known:
    """Someone pmobot has met, with their roles, as ``look_up`` read them when the request came in.

    Taken once (``take``): a later unit of work of the same request reads them again, since the first may
    have changed them (a language chosen with ``/pmo lang``, then the answer rendered in it).
    """

    person: Person
    roles: frozenset[str]
    taken: bool = False

    def take(self) -> Known | None:
        """Itself the first time, then None."""
        if self.taken:
            return None
        self.taken = True
        return self


def fresh(identity: Identity) -> Known | None:
    """What the adapter read about ``identity`` for this request while no unit of work has taken it yet (so
    none has changed them since): enough to know who they are and their language without reading again."""
    return identity.known if identity.known is not None and not identity.known.taken else None


@dataclass(frozen=True)
class Identity:
    """Who is talking, as the platform says it."""

    platform: str
    external_id: str
    display_name: str
    handle: str = ""
    locale: str | None = None  # the platform's hint (Slack user locale, Teams activity locale)
    # An e-mail the platform has verified (Slack profile.email, Teams' Entra e-mail or UPN):
    # accounts with the same one are one person. Never one the person typed.
    email: str | None = None
    # Roles the platform vouches for without a grant in the database (e.g.
    # Slack members of the IT intake channel when that option is on).
    implied_roles: frozenset[str] = frozenset()
    # Other ids the platform knows this person by (Teams: the Entra object id
    # beside the channel account id), so PMOBOT_ADMINS may name either.
    aliases: tuple[str, ...] = ()
    timezone: str | None = None  # IANA, as the platform says it (Slack users.info tz, Teams localTimezone)
    # What the adapter read about them for this request (``look_up``): the unit of work takes it rather than
    # reading the same person and roles again (``resolve``). Not part of who they are.
    known: Known | None = field(default=None, compare=False, repr=False)


class Directory(Protocol):
    """Who a platform knows by a reference typed in a command (a mention's id), asked
    only when pmobot has not met them: so a PMO admin can give a role to someone who
    never wrote to pmobot. Each adapter provides one for the request being handled."""

    async def identify(self, reference: str) -> Identity | None:
        """The person behind ``reference`` as the platform describes them, or None if it names nobody."""
        ...


@dataclass(frozen=True)
class Actor:
    """A person with their roles, loaded once per request."""

    person: Person
    roles: frozenset[str]
    locale: str
    # The platform this request comes from (a person may have accounts on several).
    platform: str

    @property
    def id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def sees_portfolio(self) -> bool:
        return bool(self.roles & PORTFOLIO_ROLES)


# Read on every request: built once.
_ROLES = select(RoleGrant.role).where(col(RoleGrant.person_id) == bindparam("person_id"))
# The account a platform knows someone by, its person and their roles (a row each, one without a role):
# who is talking, in one statement.
_KNOWN = (select(Account, Person, RoleGrant.role).join(Person, col(Person.id) == col(Account.person_id))
          .outerjoin(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
          .where(col(Account.platform) == bindparam("platform"), col(Account.external_id) == bindparam("external_id")))


async def roles_of(session: AsyncSession, *, person_id: int) -> frozenset[str]:
    rows = await session.exec(_ROLES, params={"person_id": person_id})
    return frozenset({Role.REQUESTER, *rows.all()})


def locale_of(person: Person | None, core: Core, hint: str | None = None) -> str:
    """The person's own choice, else what the platform says, else the org default.

    ``person`` is None for someone not met yet: what the platform says, else the org default.
    """
    if person is not None and person.locale:
        return normalize_locale(person.locale, core.org_locale)
    return normalize_locale(hint, core.org_locale) if hint else core.org_locale


# Built once, bound at each call (building it cost more than running it): every delivery to a person asks it.
_BY_PLATFORM_ID = select(Person).join(Account, col(Account.person_id) == col(Person.id)).where(
    col(Account.platform) == bindparam("platform"), col(Account.external_id) == bindparam("user_id"))


async def find_by_platform_id(session: AsyncSession, *, platform: str, user_id: str) -> Person | None:
    """The person a platform knows as ``user_id``, if pmobot has met them."""
    return (await session.exec(_BY_PLATFORM_ID, params={"platform": platform, "user_id": user_id})).first()


async def look_up(core: Core, *, platform: str, user_id: str) -> Known | None:
    """Who is asking, for an adapter about to hand a request to the core (whether to ask the platform about
    them, in which language to answer): their person and roles in one read (no transaction: it writes nothing).
    Handed on with their ``Identity`` (``known``), it is the request's only reading of
    them: ``resolve`` takes it."""
    async with core.db.session() as session:
        return await _known(session, platform=platform, external_id=user_id)


async def by_ids(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, Person]:
    """The people with these ids, in one query (none asked for, none read)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.exec(select(Person).where(col(Person.id).in_(wanted)))
    return {p.id: p for p in rows.all() if p.id is not None}


async def names(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, str]:
    """Display names by person id, in one query."""
    return {i: p.display_name for i, p in (await by_ids(session, ids=ids)).items()}


async def holding(session: AsyncSession, *, role: Role) -> list[Person]:
    """Everybody granted ``role`` (the PMO admins, the security reviewers...), in the order they were met."""
    rows = await session.exec(select(Person).join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
                              .where(RoleGrant.role == role).order_by(col(Person.id)))
    return list(rows.all())


async def accounts_of(session: AsyncSession, *, person_id: int) -> list[Account]:
    rows = await session.exec(select(Account).where(Account.person_id == person_id).order_by(col(Account.id)))
    return list(rows.all())


async def locale_of_user(session: AsyncSession, *, core: Core, platform: str, user_id: str) -> str:
    """The language to write to a platform user in: theirs if known, else the organisation's."""
    return locale_of(await find_by_platform_id(session, platform=platform, user_id=user_id), core)


async def locale_for_delivery(session: AsyncSession, *, core: Core, platform: str, target_kind: str,
                              target: str) -> str:
    """The language of a message delivered to ``target`` (an outbox row's target kind and target).

    The person's for a message to them; the organisation's for a channel, read by everyone in it.
    """
    if target_kind != "person":
        return core.org_locale
    return await locale_of_user(session, core=core, platform=platform, user_id=target)


async def actor_for(session: AsyncSession, *, core: Core, person: Person, platform: str | None = None,
                    hint: str | None = None, roles: frozenset[str] | None = None) -> Actor:
    """``person`` acting from ``platform``; without one, from the platform they last wrote from. ``roles``:
    theirs, when they were read with them."""
    assert person.id is not None
    return Actor(person, roles if roles is not None else await roles_of(session, person_id=person.id),
                 locale_of(person, core, hint), platform or person.last_platform or "")


def verified_email(email: str | None) -> str | None:
    """An e-mail as accounts are matched on: trimmed, lower case; None when it is not one."""
    cleaned = (email or "").strip().lower()
    return cleaned if "@" in cleaned.strip("@") else None


async def _account(session: AsyncSession, *, platform: str, external_id: str) -> Account | None:
    return (await session.exec(select(Account).where(
        Account.platform == platform, Account.external_id == external_id))).first()


async def _person_with_email(session: AsyncSession, email: str) -> Person | None:
    """The person one of whose accounts has this verified e-mail (the first met, should there be two)."""
    return (await session.exec(
        select(Person).join(Account, col(Account.person_id) == col(Person.id))
        .where(func.lower(Account.email) == email).order_by(col(Person.id)))).first()


async def _known(session: AsyncSession, *, platform: str, external_id: str) -> Known | None:
    """The person whose account a platform knows as ``external_id``, with their roles; None when pmobot has not
    met it."""
    rows = (await session.exec(_KNOWN, params={"platform": platform, "external_id": external_id})).all()
    if not rows:
        return None
    # No role: the outer join's one row has none (None).
    return Known(rows[0][1], frozenset({Role.REQUESTER, *filter(None, (role for _, _, role in rows))}))


async def _taken_in(session: AsyncSession, known: Known) -> Person:
    """``known``'s person as one of ``session``'s: the copy it holds already, else one made from what was read
    (``merge`` without a read), which it then writes like any other."""
    held = session.identity_map.get(inspect(known.person).key)
    if isinstance(held, Person):
        return held
    return await session.merge(known.person, load=False)


async def _met(session: AsyncSession, *, core: Core, identity: Identity) -> tuple[Person, bool]:
    """The person behind a platform identity, met now if pmobot has not met them; and whether they were.

    A new account whose verified e-mail another account has is that person's:
    the same someone on another platform.
    """
    identity = platform_names(identity)
    known = await _known(session, platform=identity.platform, external_id=identity.external_id)
    if known is not None:
        return known.person, False
    email = verified_email(identity.email)
    person = await _person_with_email(session, email) if email else None
    linked = person is not None
    try:
        # A savepoint: two first requests of the same person may race (a chat
        # platform sends several at once); the loser reads the winner's row.
        async with session.begin_nested():
            if person is None:
                person = Person(
                    handle=(identity.handle or identity.display_name or identity.external_id)[:80],
                    display_name=(identity.display_name or identity.handle or identity.external_id)[:200],
                    email=email,
                    # The language the platform says they use is kept, so what is sent to them
                    # later, without a request to say it, is in that language too.
                    locale=normalize_locale(identity.locale, core.org_locale) if identity.locale else None,
                    timezone=timezones.known(identity.timezone),
                    last_platform=identity.platform,
                    created_at=core.now(),
                )
                session.add(person)
                await session.flush()
            assert person.id is not None  # given by the flush
            session.add(Account(person_id=person.id, platform=identity.platform, external_id=identity.external_id,
                                email=email, created_at=core.now()))
            await session.flush()
    except IntegrityError:
        account = await _account(session, platform=identity.platform, external_id=identity.external_id)
        assert account is not None  # the winner's
        return await _person(session, account), False
    assert person.id is not None
    if linked:
        person.last_platform = identity.platform
        session.add(person)
        await audit.record(session, core=core, actor_id=None, subject=f"person:{person.id}", action="account_linked",
                           reason="email", detail={"platform": identity.platform})
    admins = core.settings.admin_ids()
    if (identity.external_id in admins or admins.intersection(identity.aliases)) and Role.PMO not in (
            await roles_of(session, person_id=person.id)):
        session.add(RoleGrant(person_id=person.id, role=Role.PMO, granted_at=core.now()))
        await audit.record(
            session, core=core, actor_id=None, subject=f"person:{person.id}", action="role_granted",
            reason="PMOBOT_ADMINS", detail={"role": Role.PMO},
        )
        await session.flush()
    return person, True


async def _person(session: AsyncSession, account: Account) -> Person:
    person = await session.get(Person, account.person_id)
    assert person is not None  # a foreign key
    return person


async def resolve(session: AsyncSession, *, core: Core, identity: Identity) -> Actor:
    """The actor behind a platform identity, created on first contact.

    People listed in ``PMOBOT_ADMINS`` get the PMO role the first time they
    are seen; after that roles live in the database only.
    """
    identity = platform_names(identity)
    # Someone met before, with their roles, in one query (none when the adapter read them for this request);
    # someone new is met first.
    known = ((identity.known and identity.known.take())
             or await _known(session, platform=identity.platform, external_id=identity.external_id))
    roles: frozenset[str] | None = None
    if known is not None:
        person, roles, created = await _taken_in(session, known), known.roles, False
    else:
        person, created = await _met(session, core=core, identity=identity)
    if not created:
        changed = False
        if identity.display_name and person.display_name != identity.display_name:
            person.display_name = identity.display_name[:200]
            changed = True
        if identity.locale and person.locale is None:
            # Never over a language chosen with /pmo lang: only where none is known yet.
            person.locale = normalize_locale(identity.locale, core.org_locale)
            changed = True
        changed = timezones.remember(person, identity.timezone) or changed
        if person.unreachable_since is not None:
            # They reached us, so we can reach them again.
            person.unreachable_since, person.unreachable_reason = None, None
            changed = True
        if person.last_platform != identity.platform:
            # Written only when they move: notifications follow them there.
            person.last_platform = identity.platform
            changed = True
        if changed:
            session.add(person)
    actor = await actor_for(session, core=core, person=person, platform=identity.platform, hint=identity.locale,
                            roles=roles)
    implied = frozenset(identity.implied_roles) & GRANTABLE_ROLES
    if implied - actor.roles:
        actor = Actor(actor.person, actor.roles | implied, actor.locale, actor.platform)
    return actor


def platform_names(identity: Identity) -> Identity:
    """The names a platform gives, as they may be stored and shown: on one line, without
    control characters, terminal escapes or bidi overrides (a display name is anyone's to choose)."""
    return replace(identity, display_name=clean_line(identity.display_name), handle=clean_line(identity.handle),
                   email=clean_line(identity.email) if identity.email is not None else None)


async def set_locale(session: AsyncSession, *, core: Core, actor: Actor, locale: str) -> Actor:
    wanted = locale.strip().lower()
    if wanted not in ("en", "fr"):
        raise Invalid("people.error.locale", value=locale)
    actor.person.locale = wanted
    session.add(actor.person)
    return Actor(actor.person, actor.roles, wanted, actor.platform)


_MENTION = re.compile(r"^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$")


def _named(reference: str) -> str:
    """What a typed reference names: the id inside a mention, or the text without its "@"."""
    m = _MENTION.match(reference.strip())
    return m.group(1) if m else reference.strip().lstrip("@")


def _by_name(candidates: Sequence[Person], ref: str) -> Person | None:
    """The one person whose handle, else display name, else e-mail is ``ref`` (case aside), if only one."""
    lowered = ref.lower()
    for attr in ("handle", "display_name", "email"):
        matches = [p for p in candidates if (getattr(p, attr) or "").lower() == lowered]
        if len(matches) == 1:
            return matches[0]
    return None


async def find_known(session: AsyncSession, *,
                     references: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
    """The people already met that ``(platform, reference)`` pairs name, as ``find`` reads each (no
    directory asked): in two queries however many there are."""
    wanted = {(platform, reference, _named(reference)) for platform, reference in references}
    wanted = {w for w in wanted if w[2]}
    if not wanted:
        return {}
    accounts = (await session.exec(select(Account).where(
        col(Account.external_id).in_(sorted({ref for _, _, ref in wanted}))))).all()
    by_account = {(a.platform, a.external_id): a.person_id for a in accounts}
    candidates = (await session.exec(select(Person).order_by(col(Person.id)))).all()
    by_id = {p.id: p for p in candidates}
    out: dict[tuple[str, str], Person] = {}
    for platform, reference, ref in wanted:
        person_id = by_account.get((platform, ref))
        found = by_id.get(person_id) if person_id is not None else _by_name(candidates, ref)
        if found is not None:
            out[(platform, reference)] = found
    return out


async def find(session: AsyncSession, *, core: Core, platform: str, reference: str,
               directory: Directory | None = None) -> Person:
    """A person named in a command: a mention or an id on ``platform``, or a handle, a display name or an
    e-mail of someone met on any platform.

    Someone pmobot has not met yet is asked of the platform's ``directory`` and
    met now, with what the platform says of them.
    """
    ref = _named(reference)
    if not ref:
        raise NotFound("people.error.not_found", who=reference)
    by_id = await find_by_platform_id(session, platform=platform, user_id=ref)
    if by_id:
        return by_id
    # Everyone, whatever their platform: an admin on Teams may name someone met on Slack.
    candidates = (await session.exec(select(Person).order_by(col(Person.id)))).all()
    by_name = _by_name(candidates, ref)
    if by_name is not None:
        return by_name
    identity = await directory.identify(ref) if directory is not None else None
    if identity is not None and identity.platform == platform:
        return (await _met(session, core=core, identity=identity))[0]
    raise NotFound("people.error.not_found", who=reference)


async def set_role(
    session: AsyncSession, *, core: Core, admin: Actor, target: Person, role: str, grant: bool
) -> frozenset[str]:
    """Grant or remove a role; only PMO admins may, and the last admin stays one.

    Naming ``requester`` resets the person to a plain requester.
    """
    if not admin.has(Role.PMO):
        raise Forbidden("people.error.not_admin")
    try:
        wanted = Role(role.lower())
    except ValueError:
        raise Invalid("people.error.role", value=role) from None
    assert target.id is not None
    current = await roles_of(session, person_id=target.id)
    to_remove = set(GRANTABLE_ROLES) if wanted == Role.REQUESTER else ({wanted} if not grant else set())
    to_add = {wanted} if grant and wanted in GRANTABLE_ROLES else set()
    if Role.PMO in to_remove and Role.PMO in current:
        admins = (await session.exec(select(RoleGrant).where(RoleGrant.role == Role.PMO))).all()
        if len(admins) <= 1:
            raise Forbidden("people.error.last_admin")
    changed = False
    for r in to_remove & current:
        grant_row = (
            await session.exec(select(RoleGrant).where(RoleGrant.person_id == target.id, RoleGrant.role == r))
        ).first()
        if grant_row:
            await session.delete(grant_row)
            changed = True
            await audit.record(session, core=core, actor_id=admin.id, subject=f"person:{target.id}",
                               action="role_removed", detail={"role": str(r)})
    for r in to_add - current:
        session.add(RoleGrant(person_id=target.id, role=r, granted_by_id=admin.id, granted_at=core.now()))
        changed = True
        await audit.record(session, core=core, actor_id=admin.id, subject=f"person:{target.id}",
                           action="role_granted", detail={"role": str(r)})
    if changed:
        await session.flush()
    return await roles_of(session, person_id=target.id)


async def set_notify_platform(session: AsyncSession, *, actor: Actor, platform: str) -> str | None:
    """Where notifications go: one of the person's platforms, or ``auto`` (the one they last wrote from)."""
    wanted = platform.strip().lower()
    if wanted in ("auto", "last", "dernier"):
        actor.person.notify_platform = None
    else:
        accounts = await accounts_of(session, person_id=actor.id)
        if wanted not in {a.platform for a in accounts}:
            raise Invalid("people.error.notify_platform", value=platform,
                          platforms=", ".join(sorted({a.platform for a in accounts} | {"auto"})))
        actor.person.notify_platform = wanted
    session.add(actor.person)
    return actor.person.notify_platform


async def link(session: AsyncSession, *, core: Core, admin: Actor, first: Person, second: Person) -> Person:
    """Make two people one (the same someone on two platforms), kept under the first one met.

    Only PMO admins may. Everything that was the other's (accounts, roles, needs,
    conversations, history) becomes theirs.
    """
    if not admin.has(Role.PMO):
        raise Forbidden("people.error.not_admin")
    assert first.id is not None and second.id is not None
    if first.id == second.id:
        raise Invalid("people.error.same_person", who=first.display_name)
    keep, gone = (first, second) if first.id < second.id else (second, first)
    assert keep.id is not None and gone.id is not None
    kept_roles = await roles_of(session, person_id=keep.id)
    for grant in (await session.exec(select(RoleGrant).where(RoleGrant.person_id == gone.id))).all():
        if grant.role in kept_roles:
            await session.delete(grant)
    await session.flush()
    # Every column that names a person, whichever area's table it is in.
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if table.name != "person" and any(fk.column.table.name == "person" for fk in column.foreign_keys):
                await session.exec(update(table).where(column == gone.id).values({column.name: keep.id}))
    keep.email = keep.email or gone.email
    keep.locale = keep.locale or gone.locale
    keep.notify_platform = keep.notify_platform or gone.notify_platform
    session.add(keep)
    await session.flush()
    await session.delete(gone)
    await audit.record(session, core=core, actor_id=admin.id, subject=f"person:{keep.id}", action="account_linked",
                       reason="admin", detail={"merged": gone.id, "name": gone.display_name})
    await session.flush()
    return keep
