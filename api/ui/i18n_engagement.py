"""Interface text for the match-to-meeting pages (stages, interest, workshop invitations,
teams), in English and Swedish; merged into `i18n.MESSAGES` (checked complete by
tests/api/ui/test_i18n.py)."""

from __future__ import annotations

_STAGES = {
    "draft": ("Draft", "Utkast"),
    "open": ("Open for interest", "Öppen för intresseanmälningar"),
    "shortlisting": ("Shortlisting", "Urval"),
    "workshop": ("Workshop", "Workshop"),
    "closed": ("Closed", "Avslutad"),
}
_MOVES = {
    "open": ("Open for interest", "Öppna för intresseanmälningar"),
    "open_back": ("Reopen for interest", "Öppna igen för intresseanmälningar"),
    "shortlisting": ("Start shortlisting", "Börja urvalet"),
    "workshop": ("Set the workshop", "Bestäm workshopen"),
    "workshop_again": ("Move the workshop", "Flytta workshopen"),
    "closed": ("Close the challenge", "Avsluta utmaningen"),
}
_ANSWERS = {
    "pending": ("No answer yet", "Inget svar än"),
    "accepted": ("Accepted", "Tackat ja"),
    "declined": ("Declined", "Tackat nej"),
}
_OUTCOMES = {
    "pilot": ("A pilot", "Ett pilotprojekt"),
    "procurement": ("A procurement", "En upphandling"),
    "none": ("No further step", "Inget vidare steg"),
}
_TEAMS = {
    "proposed": ("Proposed", "Föreslaget"),
    "formed": ("Formed", "Bildat"),
    "declined": ("Declined", "Avböjt"),
}
_INTEREST = {
    "active": ("Interest stated", "Intresse anmält"),
    "withdrawn": ("Withdrawn", "Återkallat"),
}


def _table(prefix: str, rows: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {f"{prefix}{key}": {"en": en, "sv": sv} for key, (en, sv) in rows.items()}


ENGAGEMENT_MESSAGES: dict[str, dict[str, str]] = {
    **_table("eng_stage.", _STAGES),
    **_table("eng_move.", _MOVES),
    **_table("eng_answer.", _ANSWERS),
    **_table("eng_outcome.", _OUTCOMES),
    **_table("eng_team.", _TEAMS),
    **_table("eng_interest.", _INTEREST),
    "engage.title": {"en": "From match to meeting", "sv": "Från matchning till möte"},
    "engage.stage": {"en": "Stage", "sv": "Skede"},
    "engage.moved": {"en": "The challenge is now: {stage}.", "sv": "Utmaningen är nu: {stage}."},
    "engage.next_steps": {"en": "Next steps", "sv": "Nästa steg"},
    "engage.workshop_at": {"en": "workshop", "sv": "workshop"},
    "engage.workshop_legend": {"en": "The workshop", "sv": "Workshopen"},
    "engage.workshop_date": {"en": "Workshop date", "sv": "Workshopens datum"},
    "engage.workshop_time": {"en": "Starts at", "sv": "Börjar klockan"},
    "engage.workshop_zone": {
        "en": "Stockholm time (CET/CEST).",
        "sv": "Svensk tid (CET/CEST).",
    },
    "engage.workshop_place": {"en": "Place or meeting link", "sv": "Plats eller möteslänk"},
    "engage.workshop_place_help": {
        "en": "Shown to the city, the coordinators and the invited companies only.",
        "sv": "Visas bara för staden, koordinatorerna och de inbjudna företagen.",
    },
    "engage.close_legend": {"en": "Close with an outcome", "sv": "Avsluta med ett utfall"},
    "engage.outcome": {"en": "Outcome", "sv": "Utfall"},
    "engage.outcome_choose": {"en": "Choose the outcome", "sv": "Välj utfall"},
    "engage.summary": {"en": "Public summary", "sv": "Offentlig sammanfattning"},
    "engage.summary_help": {
        "en": "What came of it, in 10 to 2,000 characters; companies will read it.",
        "sv": "Vad det blev, med 10 till 2 000 tecken; företagen kommer att läsa den.",
    },
    "engage.history": {"en": "Stage history", "sv": "Skedenas historik"},
    "engage.history_none": {
        "en": "The stage has not been moved yet.",
        "sv": "Skedet har inte flyttats än.",
    },
    "engage.from": {"en": "From", "sv": "Från"},
    "engage.to": {"en": "To", "sv": "Till"},
    "engage.interest": {"en": "Expressions of interest", "sv": "Intresseanmälningar"},
    "engage.interest_none": {
        "en": "No company has stated interest yet.",
        "sv": "Inget företag har anmält intresse än.",
    },
    "engage.company": {"en": "Company", "sv": "Företag"},
    "engage.on_shortlist": {"en": "On the shortlist", "sv": "På urvalslistan"},
    "engage.rank": {"en": "rank {rank}", "sv": "plats {rank}"},
    "engage.came_by_itself": {"en": "came by itself", "sv": "kom på eget initiativ"},
    "engage.pitch": {"en": "Pitch", "sv": "Presentation"},
    "engage.pitch_help": {
        "en": "Why your company, in 10 to 2,000 characters; the city and the coordinators read it.",
        "sv": "Varför ert företag, med 10 till 2 000 tecken; staden och koordinatorerna läser den.",
    },
    "engage.partners": {"en": "Partners", "sv": "Partner"},
    "engage.partners_help": {
        "en": "One a line: a company's name, or #12 for profile 12 on Klimatmatch. Optional.",
        "sv": "En per rad: ett företags namn, eller #12 för profil 12 på Klimatmatch. Frivilligt.",
    },
    "engage.status": {"en": "Status", "sv": "Status"},
    "engage.interest_of": {"en": "Interest of {name}", "sv": "Intresse från {name}"},
    "engage.interest_not_stated": {"en": "Not stated", "sv": "Inte anmält"},
    "engage.interest_saved": {"en": "Your interest is stated.", "sv": "Ert intresse är anmält."},
    "engage.interest_withdrawn_note": {
        "en": "Your interest is withdrawn.",
        "sv": "Ert intresse är återkallat.",
    },
    "engage.interest_closed": {
        "en": "This challenge no longer takes expressions of interest.",
        "sv": "Den här utmaningen tar inte längre emot intresseanmälningar.",
    },
    "engage.interest_update": {"en": "Update our interest", "sv": "Uppdatera vårt intresse"},
    "engage.interest_see": {"en": "See the challenge", "sv": "Se utmaningen"},
    "engage.interested": {"en": "I'm interested", "sv": "Vi är intresserade"},
    "engage.interested_open": {"en": "I'm interested", "sv": "Vi är intresserade"},
    "engage.withdraw": {"en": "Withdraw our interest", "sv": "Återkalla vårt intresse"},
    "engage.back_opportunities": {
        "en": "Challenges that fit you",
        "sv": "Utmaningar som passar er",
    },
    "engage.invitations": {"en": "Invited to the workshop", "sv": "Inbjudna till workshopen"},
    "engage.invitations_none": {"en": "Nobody is invited yet.", "sv": "Ingen är inbjuden än."},
    "engage.invited": {"en": "{n} invited.", "sv": "{n} inbjudna."},
    "engage.answer": {"en": "Answer", "sv": "Svar"},
    "engage.reason": {"en": "Reason", "sv": "Skäl"},
    "engage.invite_legend": {"en": "Invite to the workshop", "sv": "Bjud in till workshopen"},
    "engage.invite": {"en": "Invite to the workshop", "sv": "Bjud in till workshopen"},
    "engage.invite_note": {"en": "Note", "sv": "Anteckning"},
    "engage.invite_note_help": {
        "en": "For the coordinators only.",
        "sv": "Bara för koordinatorerna.",
    },
    "engage.invite_when": {
        "en": "Companies are invited while the challenge is shortlisting or at its workshop.",
        "sv": "Företag bjuds in när utmaningen är i urval eller på workshop.",
    },
    "engage.teams": {"en": "Teams", "sv": "Team"},
    "engage.teams_none": {"en": "No team yet.", "sv": "Inget team än."},
    "engage.teams_suggest": {
        "en": "Suggested teams, to propose one",
        "sv": "Föreslagna team, för att föreslå ett",
    },
    "engage.team_status": {"en": "Team", "sv": "Team"},
    "engage.proposed": {
        "en": "The team is proposed; each member confirms or declines.",
        "sv": "Teamet är föreslaget; varje medlem bekräftar eller avböjer.",
    },
    "engage.team_legend": {
        "en": "Propose a team of invited companies",
        "sv": "Föreslå ett team av inbjudna företag",
    },
    "engage.team_lead": {"en": "Lead company", "sv": "Ledande företag"},
    "engage.team_lead_first": {
        "en": "The first one ticked",
        "sv": "Det första ikryssade",
    },
    "engage.propose_team": {"en": "Propose the team", "sv": "Föreslå teamet"},
    "engage.propose": {"en": "Propose this team", "sv": "Föreslå det här teamet"},
    "engage.propose_when": {
        "en": "Teams are proposed while the challenge is shortlisting or at its workshop.",
        "sv": "Team föreslås när utmaningen är i urval eller på workshop.",
    },
    "engage.own_invitations": {"en": "Workshop invitations", "sv": "Inbjudningar till workshop"},
    "engage.own_invitations_none": {
        "en": "No workshop invitations yet.",
        "sv": "Inga inbjudningar till workshop än.",
    },
    "engage.own_teams": {"en": "Teams proposed to you", "sv": "Team som föreslagits för er"},
    "engage.own_teams_none": {"en": "No team proposals yet.", "sv": "Inga teamförslag än."},
    "engage.your_answer": {"en": "Your answer", "sv": "Ert svar"},
    "engage.answer_saved": {"en": "Your answer is saved.", "sv": "Ert svar är sparat."},
    "engage.answer_invitation": {
        "en": "Your answer to the workshop of {title}",
        "sv": "Ert svar på inbjudan till workshopen för {title}",
    },
    "engage.answer_team": {
        "en": "Your place in the team for {title}",
        "sv": "Er plats i teamet för {title}",
    },
    "engage.reason_to_decline": {
        "en": "Reason (needed to decline)",
        "sv": "Skäl (krävs för att tacka nej)",
    },
    "engage.accept": {"en": "Accept", "sv": "Tacka ja"},
    "engage.confirm_team": {"en": "Confirm", "sv": "Bekräfta"},
    "engage.decline": {"en": "Decline", "sv": "Tacka nej"},
}
