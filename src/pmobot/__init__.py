"""pmobot: the PMO liaison bot between business departments and IT."""

__version__ = "0.1.0"
