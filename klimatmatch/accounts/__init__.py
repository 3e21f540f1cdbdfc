"""People: accounts and API keys, sign-in sessions and limits, invitations, resets, self-
registration, and the `mail` job that sends their links."""
