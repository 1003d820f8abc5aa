"""The dialog engine: runs the declarative specs of ``pmobot.dialogs``."""
