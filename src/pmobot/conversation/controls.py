"""The words that steer a conversation rather than answer it, in one place.

Compared folded (no accents, lower case), in both languages whatever the
person's locale. The engine reads them inside a dialog; the chat layer reads
them outside one, so that "cancel" typed when no dialog is open is never
taken for something else (an answer to IT, a need).
"""

from __future__ import annotations

from pmobot.conversation.text import fold, name_key

CANCEL = frozenset({"cancel", "annuler", "stop", "abandonner", "quit"})
BACK = frozenset({"back", "retour", "precedent", "previous"})
SKIP = frozenset({"skip", "passer", "suivant", "next", "-"})
HELP = frozenset({"help", "aide", "?"})
KEEP = frozenset({"keep", "garder", "conserver", "same", "idem"})
# At the summary, and to confirm a cancel: these also read as everyday answers ("yes", "ok", "1").
SUBMIT = frozenset({"1", "submit", "send", "envoyer", "soumettre", "valider", "confirm", "confirmer",
                    "yes", "oui", "ok"})
EDIT_WORDS = frozenset({"2", "edit", "modifier", "corriger", "change", "changer"})
CANCEL_AT_SUMMARY = frozenset({"3"}) | CANCEL
YES = frozenset({"yes", "oui", "y", "o", "ok", "confirm", "confirmer"})

# Words that only ever steer a dialog: never an answer to anybody, never a need.
STEERING = CANCEL | BACK | SKIP | KEEP

# "Nobody", "non", "I don't know": an answer that there is nothing to say, compared as ``name_key`` reads it
# (punctuation as spaces). An optional question answered so is skipped, unless its field reads the words as
# a value of its own (a yes/no question takes "non" as no). Not steering words: "non" answers IT.
NOTHING = frozenset({
    "none", "nothing", "nobody", "no one", "n a", "na", "nil", "no", "nope", "no thanks", "not yet", "unknown",
    "i don t know", "don t know", "dont know", "idk", "tbd", "to be defined",
    "non", "nan", "non merci", "aucun", "aucune", "personne", "rien", "neant", "sans objet", "pas encore",
    "inconnu", "je ne sais pas", "je sais pas", "ne sais pas", "sais pas", "jsp", "a definir",
})


def steering_word(text: str) -> str | None:
    """The steering word ``text`` is (folded), or None when it says something."""
    word = fold(text)
    return word if word in STEERING else None


def says_nothing(text: str) -> bool:
    """Whether ``text`` answers that there is nothing to say (``NOTHING``)."""
    return name_key(text) in NOTHING
