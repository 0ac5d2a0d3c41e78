"""Accounts, roles, sessions, API tokens and the central access rules."""
