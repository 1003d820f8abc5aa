"""pmobot: the PMO liaison bot between business departments and IT."""
