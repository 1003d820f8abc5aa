"""Use cases. They take a database session and the ``Core``, enforce permissions,
write the audit trail and return platform-neutral messages."""
