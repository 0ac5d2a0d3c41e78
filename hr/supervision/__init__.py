"""Supervision: requirements, supervisors, booking and compliance."""
