"""Models and pure rules. Imports nothing else of pmobot and does no I/O."""
