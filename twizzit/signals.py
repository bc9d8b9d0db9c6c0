"""Receivers that keep integration state in step with model changes."""
