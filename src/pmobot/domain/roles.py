"""Who does what: the roles a person may hold."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REQUESTER = "requester"  # everybody: may file needs and follow their own
    IT = "it"
    COMMITTEE = "committee"
    PMO = "pmo"
    # Reviews needs that handle personal data or rely on a vendor, before any decision.
    SECURITY = "security"


class Side(StrEnum):
    """Which side a committee member sits for: a decision needs both."""

    BUSINESS = "business"
    IT = "it"


# Roles that see the whole portfolio, not only their own needs.
PORTFOLIO_ROLES = frozenset({Role.IT, Role.COMMITTEE, Role.PMO, Role.SECURITY})

# Granted in the database; ``requester`` is implicit for everyone.
GRANTABLE_ROLES = frozenset({Role.IT, Role.COMMITTEE, Role.PMO, Role.SECURITY})
