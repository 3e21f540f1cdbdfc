"""Every kind of job, registered: imports each domain's tasks module for its `register` calls.

Only a process's entry points import this module (the API's job routes, where it builds its
queue; the worker; the `klimatmatch jobs` commands), as Polar's `tasks.py`: registration runs
one way, from the entry point down, and no domain module needs to know the others.
"""

from klimatmatch.jobs import (
    alerts,  # alerts and digests (issue 14)
    mail,  # e-mail a request queued (issue 24)
    tasks_catalogue,  # import
    tasks_index,  # reindex, snapshot
    tasks_learning,  # train
)

__all__ = ["alerts", "mail", "tasks_catalogue", "tasks_index", "tasks_learning"]
