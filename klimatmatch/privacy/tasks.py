"""The privacy jobs: `retention` removes what is past its time (an operator's cron runs
`klimatmatch jobs submit retention` once a day), `export` writes a large export to a file."""

from __future__ import annotations

import os

from klimatmatch.core.errors import InvalidInput
from klimatmatch.jobs.registry import JobContext, register
from klimatmatch.privacy import export, retention
from models import User


@register("retention", unit="kinds")
def retention_job(context: JobContext) -> str:
    with context.sessions() as session:
        removed = retention.apply(session=session, settings=context.settings)
        session.commit()
    return "removed " + ", ".join(f"{count} {kind}" for kind, count in removed.items())


@register(export.EXPORT_KIND, unit="records")
def export_job(context: JobContext) -> str:
    """Written to a temporary name and renamed, so a download never reads half a file."""
    path = export.export_path(context.settings, context.arguments)
    if path is None:
        raise InvalidInput("an export job names its file and format; the export route makes it")
    with context.sessions() as session:
        user = session.get(User, int(context.arguments.get("user_id", 0)))
        if user is None:
            raise InvalidInput("the person of this export no longer exists")
        data = export.gather(session=session, user=user, settings=context.settings)
        session.commit()
    content, _, _ = export.render(data, path.suffix.lstrip("."))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    os.replace(partial, path)
    records = sum(len(rows) for rows in data.values() if isinstance(rows, list))
    return f"export of person {user.id}: {records} records, {len(content)} bytes"
