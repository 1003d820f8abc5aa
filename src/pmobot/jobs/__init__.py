"""Scheduled jobs: declared once (``base.Job``), run exactly once per period."""
