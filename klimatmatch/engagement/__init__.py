"""From match to meeting: stages, interest, workshop invitations, teams and the funnel."""
