"""The catalogue's job: `import` a file of challenges or companies. Every row is validated
before anything is written and rows upsert by natural key in one transaction, so a retry writes
nothing twice."""

from __future__ import annotations

import re
from pathlib import Path

from klimatmatch.catalogue.importing import SUFFIXES
from klimatmatch.jobs.registry import JobContext, register

UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{12}-")
"""What `service.save_upload` puts before an uploaded file's name to keep copies apart."""


@register("import", unit="rows", needs_file=True, suffixes=SUFFIXES)
def import_job(context: JobContext) -> str:
    """Every row is validated before anything is written, and rows upsert by their natural key
    in one transaction: a retry after a crash writes nothing twice."""
    from klimatmatch.catalogue.importing import import_file

    path = context.settings.upload_dir / Path(context.arguments["file"]).name
    name = UPLOAD_PREFIX.sub("", path.name)  # as uploaded, so messages read as the CLI's do
    context.progress(0, None, f"reading {name}")
    with context.sessions() as session:
        report = import_file(
            session=session, path=path, kind=context.arguments.get("kind"), name=name
        )
        session.commit()
    rows = report.created + report.updated
    context.progress(rows, rows)
    return f"{name}: {report.created} {report.kind} created, {report.updated} updated"
