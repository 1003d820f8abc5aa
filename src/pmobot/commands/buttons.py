"""The card buttons: one home for their action ids and labels.

A button is declared here as data and attached to the command it triggers in
that command's declaration (``pmobot.commands.<area>``); services build their
cards' ``Action``s from these, and adapters hand a press back to ``Chat``, which
finds the command through the registry. Adding a button: declare it here, list
it in its command's ``buttons``, and add its label to ``i18n/{en,fr}/button.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pmobot.i18n import t
from pmobot.messages import Action


@dataclass(frozen=True)
class Button:
    # What the platforms send back when it is pressed; stable, stored in posted cards.
    action_id: str
    # The i18n key of its label.
    label: str
    # The lifecycle step it performs on a need, when it is offered by what the
    # person may do next (``services.cards.actions_for``); None when a card adds it itself.
    step: str | None = None

    def action(self, locale: str, value: str, *, primary: bool = False) -> Action:
        return Action(self.action_id, t(locale, self.label), value, "primary" if primary else "default")


CLAIM = Button("need.claim", "button.claim", step="claim")
ASK = Button("need.ask", "button.ask", step="ask")
ESTIMATE = Button("need.estimate", "button.estimate", step="estimate")
ANSWER = Button("need.answer", "button.answer", step="answer")
# A security reviewer's notice that a need waits on their review.
REVIEW = Button("need.review", "button.review")
# Needs like the one being filed (``services.duplicates``): join one, or send it as different, or as it is.
JOIN = Button("need.join", "duplicates.button.join")
DIFFERENT = Button("need.different", "duplicates.button.different")
SUBMIT = Button("need.submit", "duplicates.button.submit")
# "See all" under a card cut short by a platform's limits: the need's status in full.
STATUS = Button("need.status", "button.see_all")

# The committee's buttons on a need's agenda card: each vote opens a reason form; the value is "NEED-n choice".
APPROVE = Button("committee.approve", "button.approve")
DEFER = Button("committee.defer", "button.defer")
REJECT = Button("committee.reject", "button.reject")
REQUEST_INFO = Button("committee.request_info", "button.request_info")

# The scope sign-off (``services.scope``): the requester or the sponsor agrees to a version, or asks for
# changes on an item (the value is "NEED-n version"); IT writes or revises the scope (the value is the need).
SCOPE_AGREE = Button("scope.agree", "scope.button.agree")
SCOPE_CHANGES = Button("scope.changes", "scope.button.changes")
SCOPE_WRITE = Button("scope.write", "scope.button.write")

# The buttons a need's card offers, when the lifecycle allows their step.
ON_A_NEED = (CLAIM, ASK, ESTIMATE, ANSWER)

# The weekly check-in's direct message: opens the check-in form of the project (the value is "PRJ-n").
CHECK_IN = Button("project.check_in", "checkin.button.open")

# A drift alert's buttons: the value is "ALERT-n verb" for the ``alert`` command.
ALERT_STATUS = Button("alert.status", "drift.button.status")
ALERT_ACKNOWLEDGE = Button("alert.acknowledge", "drift.button.acknowledge")
ALERT_ASK_UPDATE = Button("alert.ask_update", "drift.button.ask_update")
ON_AN_ALERT = (ALERT_STATUS, ALERT_ACKNOWLEDGE, ALERT_ASK_UPDATE)
