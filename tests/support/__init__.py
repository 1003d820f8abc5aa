"""Helpers shared by the test modules: fakes of the chat platforms, the steps of their loops,
the reference schemas. Not tests themselves; test modules import from here, never from
each other."""
