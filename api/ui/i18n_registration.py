"""Interface text for companies that register by themselves and the coordinators who approve
them, in English and Swedish; merged into `i18n.MESSAGES`."""

from __future__ import annotations

REGISTRATION_MESSAGES: dict[str, dict[str, str]] = {
    "nav.registrations": {"en": "Registrations", "sv": "Registreringar"},
    "sign_in.register": {
        "en": "A company new to Klimatmatch? Register your company",
        "sv": "Nytt företag i Klimatmatch? Registrera ditt företag",
    },
    "register.title": {"en": "Register your company", "sv": "Registrera ditt företag"},
    "register.intro": {
        "en": "Tell cities what your company can do. We send a link to confirm your e-mail; "
        "a coordinator then reviews the registration.",
        "sv": "Berätta för städerna vad ert företag kan. Vi skickar en länk som bekräftar din "
        "e-postadress; sedan granskar en koordinator registreringen.",
    },
    "register.you": {"en": "You", "sv": "Du"},
    "register.profile": {"en": "Your company", "sv": "Ditt företag"},
    "register.company": {"en": "Company name", "sv": "Företagets namn"},
    "register.review": {
        "en": "Cities' shortlists include your profile once a coordinator has approved it; "
        "until then only you and the coordinators see it.",
        "sv": "Städernas kortlistor tar med profilen när en koordinator har godkänt den; fram "
        "till dess ser bara du och koordinatorerna den.",
    },
    "register.submit": {"en": "Register", "sv": "Registrera"},
    "register.have_account": {
        "en": "Have an account already? Sign in",
        "sv": "Har du redan ett konto? Logga in",
    },
    "register.check_mail": {
        "en": "Thank you. We sent a message to {email}: open its link to confirm the address "
        "and finish the registration.",
        "sv": "Tack. Vi har skickat ett meddelande till {email}: öppna länken i det för att "
        "bekräfta adressen och slutföra registreringen.",
    },
    "register.confirm_intro": {
        "en": "Confirm your e-mail address to finish the registration and sign in.",
        "sv": "Bekräfta din e-postadress för att slutföra registreringen och logga in.",
    },
    "register.confirm": {"en": "Confirm and sign in", "sv": "Bekräfta och logga in"},
    "registrations.title": {
        "en": "Registrations to review",
        "sv": "Registreringar att granska",
    },
    "registrations.intro": {
        "en": "Companies that asked to join. Approve one and its profiles are in the next "
        "shortlists; decline it and its people are told your reason.",
        "sv": "Företag som har bett om att gå med. Godkänn ett, så kommer profilerna med i "
        "nästa kortlistor; avslå det, så får de veta ditt skäl.",
    },
    "registrations.none": {
        "en": "No registration is waiting.",
        "sv": "Ingen registrering väntar.",
    },
    "registrations.approved": {
        "en": "Approved: its profiles are matched from now on.",
        "sv": "Godkänt: profilerna matchas från och med nu.",
    },
    "registrations.declined": {
        "en": "Declined: its people were told why.",
        "sv": "Avslaget: de har fått veta varför.",
    },
    "registrations.since": {"en": "registered {when} UTC", "sv": "registrerat {when} UTC"},
    "registrations.staff": {"en": "{n} people", "sv": "{n} personer"},
    "registrations.approve": {"en": "Approve", "sv": "Godkänn"},
    "registrations.approve_who": {"en": "Approve {name}", "sv": "Godkänn {name}"},
    "registrations.decline": {"en": "Decline", "sv": "Avslå"},
    "registrations.decline_who": {"en": "Decline {name}", "sv": "Avslå {name}"},
    "registrations.reason": {
        "en": "Reason (told to the company)",
        "sv": "Skäl (skickas till företaget)",
    },
    "opportunities.pending": {
        "en": "{name} awaits a coordinator's approval: cities' shortlists include its profiles "
        "once it is approved. You can edit them meanwhile.",
        "sv": "{name} väntar på en koordinators godkännande: städernas kortlistor tar med "
        "profilerna när det är godkänt. Du kan redigera dem under tiden.",
    },
}
