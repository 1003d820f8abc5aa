"""Who does what: the roles a person may hold."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REQUESTER = "requester"  # everybody: may file needs and follow their own
    IT = "it"
    COMMITTEE = "committee"
    PMO = "pmo"


# Roles that see the whole portfolio, not only their own needs.
PORTFOLIO_ROLES = frozenset({Role.IT, Role.COMMITTEE, Role.PMO})

# Granted in the database; ``requester`` is implicit for everyone.
GRANTABLE_ROLES = frozenset({Role.IT, Role.COMMITTEE, Role.PMO})
