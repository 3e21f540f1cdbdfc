"""Interface text for signing in, accounts and people, in English and Swedish; merged into
`i18n.MESSAGES` (one table for the pages, checked complete by tests/api/ui/test_i18n.py)."""

from __future__ import annotations

ACCOUNT_MESSAGES: dict[str, dict[str, str]] = {
    "nav.account": {"en": "Account", "sv": "Konto"},
    "nav.people": {"en": "People", "sv": "Personer"},
    "sign_in.email": {"en": "E-mail", "sv": "E-post"},
    "sign_in.password": {"en": "Password", "sv": "Lösenord"},
    "sign_in.wrong": {
        "en": "The e-mail or the password is wrong.",
        "sv": "E-postadressen eller lösenordet är fel.",
    },
    "sign_in.empty": {
        "en": "Enter your e-mail and password.",
        "sv": "Fyll i e-postadress och lösenord.",
    },
    "sign_in.wait": {
        "en": "Too many failed sign-ins. Wait {seconds} s and try again.",
        "sv": "För många misslyckade inloggningar. Vänta {seconds} s och försök igen.",
    },
    "sign_in.forgot": {"en": "Forgot your password?", "sv": "Glömt lösenordet?"},
    "sign_in.programs": {
        "en": "Programs use the API with an API key, made on your account page.",
        "sv": "Program använder API:et med en API-nyckel, som du skapar på din kontosida.",
    },
    "forgot.title": {"en": "A new password", "sv": "Nytt lösenord"},
    "forgot.intro": {
        "en": "Enter your e-mail: we send a link to choose a new password.",
        "sv": "Fyll i din e-postadress: vi skickar en länk där du väljer ett nytt lösenord.",
    },
    "forgot.submit": {"en": "Send the link", "sv": "Skicka länken"},
    "forgot.sent": {
        "en": "If an account has that e-mail, a link is on its way. It works once, for a while.",
        "sv": "Om ett konto har den e-postadressen är en länk på väg. Den fungerar en gång, "
        "en begränsad tid.",
    },
    "forgot.back": {"en": "Back to sign-in", "sv": "Tillbaka till inloggningen"},
    "reset.title": {"en": "Choose a new password", "sv": "Välj ett nytt lösenord"},
    "reset.for": {"en": "For {email}.", "sv": "För {email}."},
    "reset.submit": {"en": "Save and sign in", "sv": "Spara och logga in"},
    "password.new": {"en": "New password", "sv": "Nytt lösenord"},
    "password.rules": {
        "en": "10 to 200 characters, not your e-mail address. A few words work well.",
        "sv": "10 till 200 tecken, inte din e-postadress. Några ord fungerar bra.",
    },
    "invitation.title": {"en": "Welcome to Klimatmatch", "sv": "Välkommen till Klimatmatch"},
    "invitation.for": {
        "en": "You are invited as {role}: {email}",
        "sv": "Du är inbjuden som {role}: {email}",
    },
    "invitation.name": {"en": "Your name", "sv": "Ditt namn"},
    "invitation.submit": {
        "en": "Save the password and sign in",
        "sv": "Spara lösenordet och logga in",
    },
    "account.title": {"en": "Your account", "sv": "Ditt konto"},
    "account.name": {"en": "Name", "sv": "Namn"},
    "account.role": {"en": "Role", "sv": "Roll"},
    "account.sessions": {"en": "Where you are signed in", "sv": "Där du är inloggad"},
    "account.browser": {"en": "Browser", "sv": "Webbläsare"},
    "account.address": {"en": "Address", "sv": "Adress"},
    "account.signed_in": {"en": "Signed in (UTC)", "sv": "Inloggad (UTC)"},
    "account.last_seen": {"en": "Last seen (UTC)", "sv": "Senast aktiv (UTC)"},
    "account.actions": {"en": "Actions", "sv": "Åtgärder"},
    "account.this_browser": {"en": "this browser", "sv": "den här webbläsaren"},
    "account.end_session": {"en": "Sign out there", "sv": "Logga ut där"},
    "account.end_session_of": {
        "en": "Sign out the session started {started}",
        "sv": "Logga ut sessionen som började {started}",
    },
    "account.keys": {"en": "API keys", "sv": "API-nycklar"},
    "account.keys_help": {
        "en": "For programs calling the API (Authorization: Bearer <key>). A key acts as you; "
        "it is shown once, when you create it.",
        "sv": "För program som anropar API:et (Authorization: Bearer <nyckel>). En nyckel agerar "
        "som du; den visas en gång, när du skapar den.",
    },
    "account.new_key": {
        "en": "Your new key \u201c{name}\u201d. Copy it now: it is not shown again.",
        "sv": "Din nya nyckel \u201d{name}\u201d. Kopiera den nu: den visas inte igen.",
    },
    "account.key": {"en": "Key", "sv": "Nyckel"},
    "account.key_name": {"en": "Name of the key", "sv": "Nyckelns namn"},
    "account.created": {"en": "Created (UTC)", "sv": "Skapad (UTC)"},
    "account.last_used": {"en": "Last used (UTC)", "sv": "Senast använd (UTC)"},
    "account.never": {"en": "never", "sv": "aldrig"},
    "account.revoke": {"en": "Revoke", "sv": "Återkalla"},
    "account.revoke_key": {"en": "Revoke the key {name}", "sv": "Återkalla nyckeln {name}"},
    "account.create_key": {"en": "Create a key", "sv": "Skapa en nyckel"},
    "account.password": {"en": "Password", "sv": "Lösenord"},
    "account.current_password": {"en": "Current password", "sv": "Nuvarande lösenord"},
    "account.change_password": {"en": "Change the password", "sv": "Byt lösenord"},
    "account.wrong_password": {
        "en": "The current password is wrong.",
        "sv": "Det nuvarande lösenordet är fel.",
    },
    "account.password_wait": {
        "en": "Current password: too many wrong tries. Wait {seconds} s and try again.",
        "sv": "Nuvarande lösenord: för många fel. Vänta {seconds} s och försök igen.",
    },
    "account.password_changed": {
        "en": "Password changed; your other sessions have ended.",
        "sv": "Lösenordet är bytt; dina andra sessioner är avslutade.",
    },
    "people.title": {"en": "People", "sv": "Personer"},
    "people.invite": {"en": "Invite a person", "sv": "Bjud in en person"},
    "people.name": {"en": "Name", "sv": "Namn"},
    "people.organisation": {"en": "Organisation", "sv": "Organisation"},
    "people.organisation_help": {
        "en": "The city or company the person acts for (needed for those roles).",
        "sv": "Staden eller företaget personen agerar för (krävs för de rollerna).",
    },
    "people.mail_language": {"en": "Language of the e-mail", "sv": "E-postens språk"},
    "people.send": {"en": "Send the invitation", "sv": "Skicka inbjudan"},
    "people.invited": {
        "en": "Invitation sent to {email}.",
        "sv": "Inbjudan skickad till {email}.",
    },
    "people.pending": {"en": "Invitations not yet used", "sv": "Inbjudningar som inte använts"},
    "people.expires": {"en": "Expires (UTC)", "sv": "Går ut (UTC)"},
    "people.everyone": {"en": "Accounts", "sv": "Konton"},
    "people.active": {"en": "active", "sv": "aktiv"},
    "people.inactive": {"en": "deactivated", "sv": "avaktiverad"},
    "people.deactivate": {"en": "Deactivate", "sv": "Avaktivera"},
    "people.deactivate_who": {"en": "Deactivate {name}", "sv": "Avaktivera {name}"},
}
