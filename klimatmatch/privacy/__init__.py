"""A person's data rights: exporting everything about them, erasing a person or an
organisation, and removing what is past its retention period."""
