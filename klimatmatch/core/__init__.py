"""What every domain shares: settings, domain errors, access rules, safe text, translations, e-mail
transport and its queue, safe spreadsheets."""
