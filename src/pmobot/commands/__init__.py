"""Every ``/pmo`` command and card button, declared once.

``registry`` holds the types and the ``Commands`` registry; ``buttons`` the
card buttons (data only, so that services can build cards without importing
the handlers); one module per area of the core (``intake``, ``estimation``,
``people``, ``deliveries``, ``help``) declares that area's commands beside its
services; ``builtin`` gathers them for the composition root.

This package's ``__init__`` imports nothing: services import ``buttons``, and
must not pull the handlers (which import services) in with it.
"""
