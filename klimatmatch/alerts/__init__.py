"""Alerts: the inbox, e-mail preferences, alert and digest mail, and their jobs."""
