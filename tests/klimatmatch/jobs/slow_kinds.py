"""Kinds of job for the tests only, loaded into a worker with `--module`.

`held_import` imports a file like `import`, but first waits while a `hold` file exists in the
upload folder, reporting progress: a test can kill the worker in the middle of the job. Each
start and each commit is appended to `attempts.log`, so a test can count them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from klimatmatch.catalogue.importing import import_file
from klimatmatch.jobs import JobContext, register


def log_line(context: JobContext, line: str) -> None:
    with (context.settings.upload_dir / "attempts.log").open("a") as handle:
        handle.write(f"{line} {os.getpid()}\n")


@register("held_import", unit="rows", needs_file=True)
def held_import(context: JobContext) -> str:
    log_line(context, "start")
    hold = context.settings.upload_dir / "hold"
    waited = 0
    while hold.exists():
        waited += 1
        context.progress(waited, None, "held")
        time.sleep(0.1)
    path = context.settings.upload_dir / Path(context.arguments["file"]).name
    with context.sessions() as session:
        report = import_file(session=session, path=path)
        session.commit()
    log_line(context, "commit")
    return f"{report.created} created, {report.updated} updated"
