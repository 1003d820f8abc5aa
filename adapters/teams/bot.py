"""The Teams activity handler: what people type and press, handed to the core.

- Personal chat: free text goes to ``Chat.on_text`` (an intake conversation,
  pre-filled from the sentence); a first word that names a command (``new``,
  ``status NEED-3``, ``queue``...) runs it, with or without ``/pmo`` in front.
- Channels and group chats: pmobot answers only when mentioned; the mention
  is taken out of the text, other people's mentions become their Teams ids
  (``role @Bob it``). ``set it-channel`` there makes it the IT intake channel.
- Buttons (``Action.Execute``, an ``adaptiveCard/action`` invoke; or
  ``Action.Submit`` from older clients, a message with a value): need actions,
  answers to a conversation's question, and forms, whose answer replaces the
  form card in place (with its errors, with the fields the answers call for,
  or with what was done).

A message (any activity but an invoke) reaches this handler from the inbound
queue (``queue``): stored and acknowledged first, then worked by an inbound
worker, once, in order per conversation; a turn that fails there is tried
again by the worker. An invoke is handled within its request. Either way its
activity id goes to the core as the request's key (``once=``), stored in the
same transaction as the work (``services.inbound``), so a repeat does nothing. Its conversation
reference is kept, and the language is the person's choice, else the
activity's locale, else the organisation's.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount
from msrest.serialization import Model

from pmobot import payloads as read
from pmobot.adapters.teams import cards, references, roster
from pmobot.adapters.teams.deliver import card_activity, encode_id
from pmobot.chat import Chat
from pmobot.commands.registry import Place, has_prefix, is_command, without_prefix
from pmobot.domain import keys
from pmobot.i18n import t
from pmobot.messages import Message, Notice, Text
from pmobot.services import addresses, inbound, people
from pmobot.services.errors import PmoError
from pmobot.services.people import Identity

log = logging.getLogger(__name__)

PLATFORM = references.PLATFORM
CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"



class InvokeAnswer(Model):
    """The body of an ``adaptiveCard/action`` answer: a card (replacing the one
    pressed) or a message. The SDK's own model cannot carry a message's text."""

    # Read from the class by msrest; Model declares it as a plain attribute, so no ClassVar.
    _attribute_map: dict[str, dict[str, Any]] = {  # noqa: RUF012
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "object"},
    }

    def __init__(self, *, type: str, value: Any, status_code: int = 200, **kwargs: Any) -> None:
        # msrest's Model.__init__ is unannotated, and mypy's untyped_calls_exclude
        # does not reach calls through super().
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self.status_code = status_code
        self.type = type
        self.value = value


_AT = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
# A quoted reply as older clients write it into the text: the quote is not part of what was said.
_QUOTE = re.compile(r"<blockquote[^>]*itemtype=\"http://schema\.skype\.com/Reply\"[^>]*>.*?</blockquote>",
                    re.IGNORECASE | re.DOTALL)
_QUOTE_ID = re.compile(r"itemid=\"([^\"]+)\"", re.IGNORECASE)
# Read after the "/pmo" or "pmo" that may introduce it.
_SET_IT_CHANNEL = re.compile(r"^\s*set\s+it[-\s]?channel\s*$", re.IGNORECASE)


def identity_of(activity: Activity) -> Identity:
    who = activity.from_property or ChannelAccount()
    aad = getattr(who, "aad_object_id", None)
    return Identity(platform=PLATFORM, external_id=str(who.id or ""), display_name=who.name or "",
                    locale=activity.locale, aliases=(aad,) if aad else (), timezone=activity.local_timezone)


def conversation_key(activity: Activity) -> keys.ConversationKey:
    return keys.conversation(PLATFORM, activity.conversation.id if activity.conversation else "")


def channel_place(activity: Activity) -> Place | None:
    """The channel conversation a message is typed in (without its thread), with the reference that posts
    there; None in a personal chat."""
    if references.conversation_type(activity) == "personal":
        return None
    channel = references.channel_address(activity)
    return Place(channel, references.reference_of(activity, conversation_id=channel)) if channel else None


def delivery_key(activity: Activity) -> keys.DeliveryKey | None:
    """What a repeated delivery of ``activity`` is recognised by; None for what carries no work."""
    if activity.type in (ActivityTypes.message, ActivityTypes.invoke) and activity.id:
        return keys.activity(activity.type, activity.id)
    return None


def quoted_message(activity: Activity) -> str | None:
    """The platform id (as the outbox records it) of the message this one quotes in reply, if any:
    a ``quotedReply`` entity, or the quote block older clients put in the text."""
    conversation = activity.conversation.id if activity.conversation else ""
    for entity in roster.entities(activity):
        quoted = entity.get("quotedReply") if entity.get("type") == "quotedReply" else None
        if isinstance(quoted, dict) and quoted.get("messageId"):
            return encode_id(str(quoted["messageId"]), conversation)
    block = _QUOTE.search(activity.text or "")
    found = _QUOTE_ID.search(block.group(0)) if block else None
    return encode_id(found.group(1), conversation) if found else None


def mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    return any((m.get("mentioned") or {}).get("id") == bot_id for m in roster.mentions(activity))


def clean_text(activity: Activity) -> str:
    """The text without pmobot's mention, other mentions replaced by the person's Teams id."""
    text = _QUOTE.sub(" ", activity.text or "")
    bot_id = activity.recipient.id if activity.recipient else None
    for m in roster.mentions(activity):
        tag = m.get("text") or ""
        mentioned = m.get("mentioned") or {}
        if not tag:
            continue
        text = text.replace(tag, "" if mentioned.get("id") == bot_id else f" {mentioned.get('id', '')} ")
    # Any <at> left (a mention without its entity) is read as the name it shows.
    text = _AT.sub(lambda m: m.group(1), text)
    return re.sub(r"[ \t]+", " ", text).strip()


class PmoBot(ActivityHandler):
    def __init__(self, *, chat: Chat) -> None:
        self.chat = chat
        self.core = chat.core

    # -- every turn -----------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        # Kept on every delivery, repeats included: remembering a reference twice changes nothing.
        async with self.core.db.session() as session:
            await references.remember_activity(session, core=self.core, activity=activity)
        await super().on_turn(turn_context)

    async def _who(self, turn_context: TurnContext) -> Identity:
        """Who is writing; the first time, completed from the roster (their e-mail may link them)."""
        identity = identity_of(turn_context.activity)
        if known := await people.look_up(self.core, platform=PLATFORM, user_id=identity.external_id):
            return replace(identity, known=known)  # the core does not read them again
        return await roster.Roster(turn_context).completed(identity)

    async def _send(self, turn_context: TurnContext, messages: list[Message], locale: str | None = None) -> None:
        if not messages:
            return
        locale = locale or await self.chat.locale_for(identity_of(turn_context.activity))
        for message in messages:
            await turn_context.send_activity(card_activity(message, locale=locale))

    # -- installation, teams ----------------------------------------------------

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if not any(m.id == bot_id for m in members_added):
            return
        if references.conversation_type(activity) == "personal":
            await self._send(turn_context, await self.chat.welcome(await self._who(turn_context)))
        else:
            locale = self.core.org_locale
            await self._send(turn_context, [Notice(t(locale, "teams.added_to_team"))], locale)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        # The reference is already kept by on_turn; a welcome comes with membersAdded.
        return None

    # -- messages -----------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and cards.DATA_KEY in activity.value:
            # Action.Submit (a client without Universal Actions): the same data as an invoke.
            response = await self._card_action(turn_context, activity.value)
            if response.type == CARD_RESPONSE and activity.reply_to_id:
                await turn_context.update_activity(Activity(
                    type=ActivityTypes.message, id=activity.reply_to_id,
                    attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=response.value)]))
            return
        personal = references.conversation_type(activity) == "personal"
        if not personal and not mentions_bot(activity):
            return  # a channel conversation that is not for pmobot
        text = clean_text(activity)
        if not text:
            await self._send(turn_context, await self.chat.on_command(
                identity_of(activity), conversation_key(activity), "help", once=delivery_key(activity)))
            return
        if _SET_IT_CHANNEL.match(without_prefix(text)):
            await self._set_it_channel(turn_context)
            return
        await self._send(turn_context, await self.route_text(turn_context, text))

    async def route_text(self, turn_context: TurnContext, text: str) -> list[Message]:
        activity = turn_context.activity
        who, key, once = await self._who(turn_context), conversation_key(activity), delivery_key(activity)
        # "role <at>Bob</at> it": Bob may never have written to pmobot; the core asks the roster about him.
        mentioned = roster.Roster(turn_context)
        replying = quoted_message(activity)
        place = channel_place(activity)
        if is_command(text) or replying is not None:
            # A reply to one of pmobot's cards goes to the need the card is about (Chat decides).
            return await self.chat.on_text(who, key, text, once=once, directory=mentioned, reply_to=replying,
                                           place=place)
        if has_prefix(text) and not await self.chat.in_conversation(who, key):
            return await self.chat.on_command(who, key, without_prefix(text), once=once, directory=mentioned,
                                              place=place)
        if self.chat.reads_as_command(text) and not await self.chat.in_conversation(who, key):
            return await self.chat.on_command(who, key, text, once=once, directory=mentioned, place=place)
        return await self.chat.on_text(who, key, text, once=once, directory=mentioned, place=place)

    async def _set_it_channel(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        who = identity_of(activity)
        if references.conversation_type(activity) == "personal":
            locale = await self.chat.locale_for(who)
            await self._send(turn_context, [Notice(t(locale, "teams.it_channel_in_channel"), "warning")], locale)
            return
        channel = references.channel_address(activity) or ""
        locale = self.core.org_locale
        once = delivery_key(activity)
        try:
            async with self.core.db.session() as session:
                if once is not None and not await inbound.first_time(session, core=self.core, platform=PLATFORM,
                                                                     key=once):
                    return  # a repeat: the channel was set, and said so, the first time
                actor = await people.resolve(session, core=self.core, identity=who)
                locale = actor.locale
                await addresses.set_it_channel(
                    session, core=self.core, actor=actor, platform=PLATFORM, address=channel,
                    reference=references.reference_of(activity, conversation_id=channel))
        except PmoError as exc:
            await self._send(turn_context, [Notice(exc.message(locale), "warning")], locale)
            return
        await self._send(turn_context, [Notice(t(locale, "teams.it_channel_set"), "success")], locale)

    # -- buttons --------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            # An invoke for a feature pmobot's manifest does not declare: the caller's mistake, not a server error.
            log.info("teams: an invoke pmobot does not handle (%.60s)", activity.name)
            return InvokeResponse(status=400)
        data = read.field(read.field(activity.value, "action"), "data")
        return InvokeResponse(status=200, body=await self._card_action(turn_context, data))

    async def _card_action(self, turn_context: TurnContext, data: dict[str, Any]) -> InvokeAnswer:
        activity = turn_context.activity
        who, key, once = await self._who(turn_context), conversation_key(activity), delivery_key(activity)
        kind = data.get(cards.DATA_KEY)
        locale = await self.chat.locale_for(who)
        if kind == "action":
            messages = await self.chat.on_action(who, key, str(data.get("id", "")), str(data.get("value", "")),
                                                 once=once)
            return await self._answer_with_messages(turn_context, messages, locale)
        if kind == "answer":
            messages = await self.chat.on_text(who, key, str(data.get("value", "")), once=once)
            return await self._answer_with_messages(turn_context, messages, locale)
        if kind == "answer_multi":
            chosen = str(data.get(cards.MULTI_INPUT, "") or "")
            messages = await self.chat.on_text(who, key, ", ".join(v for v in chosen.split(",") if v), once=once)
            return await self._answer_with_messages(turn_context, messages, locale)
        if kind == "form":
            return await self._form(turn_context, data, locale)
        return self._message(t(locale, "chat.unknown_action"))

    @staticmethod
    def _message(text: str) -> InvokeAnswer:
        return InvokeAnswer(type=MESSAGE_RESPONSE, value=text)

    @staticmethod
    def _card(card: dict[str, Any]) -> InvokeAnswer:
        return InvokeAnswer(type=CARD_RESPONSE, value=card)

    async def _answer_with_messages(self, turn_context: TurnContext, messages: list[Message],
                                    locale: str) -> InvokeAnswer:
        """A button's results are new messages in the conversation (the card pressed stays as it is)."""
        if not messages:
            return self._message(" ")  # a repeat delivery: done and answered the first time; Teams wants an answer
        await self._send(turn_context, messages, locale)
        first = next((m for m in messages if isinstance(m, (Notice, Text))), None)
        return self._message(first.text[:500] if first else t(locale, "teams.done"))

    async def _form(self, turn_context: TurnContext, data: dict[str, Any], locale: str) -> InvokeAnswer:
        activity = turn_context.activity
        who, key = identity_of(activity), conversation_key(activity)
        spec_id = str(data.get("spec", ""))
        context = read.field(data, "context")
        values = cards.form_values(data)
        op = data.get("op")
        if op == "cancel":
            return self._card(cards.result_card([Notice(t(locale, "teams.form_cancelled"))], locale=locale))
        if op == "redraw":
            form = await self.chat.redraw_form(who, spec_id, values, context)
            if form is None:
                return self._message(t(locale, "chat.unknown_action"))
            return self._card(cards.render(form, locale=locale))
        refused, messages = await self.chat.submit_form(who, key, spec_id, values, context,
                                                        once=delivery_key(activity))
        if refused is not None:
            return self._card(cards.render(refused, locale=locale))
        if not messages:
            return self._message(" ")  # a repeat delivery: the form card was answered the first time
        short: list[Message] = [m for m in messages if isinstance(m, (Notice, Text))]
        # Cards and further forms follow as new messages; the form card says what was done.
        await self._send(turn_context, [m for m in messages if not isinstance(m, (Notice, Text))], locale)
        return self._card(cards.result_card(short or [Notice(t(locale, "teams.done"), "success")], locale=locale))
