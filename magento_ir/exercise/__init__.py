"""Exercises: scenarios with injects, scoring, after-action reports, programme records and the
written procedures (issue 15)."""
