"""Every kind of job, registered: imports each domain's tasks module for its `register` calls.

Only a process's entry points import this module (the API's job routes, where it builds its
queue; the worker; the `klimatmatch jobs` commands), as Polar's `tasks.py`: registration runs
one way, from the entry point down, and no domain module needs to know the others.
"""

from klimatmatch.accounts import tasks as mail
from klimatmatch.alerts import tasks as alerts
from klimatmatch.catalogue import tasks as tasks_catalogue
from klimatmatch.index import tasks as tasks_index
from klimatmatch.learning import tasks as tasks_learning
from klimatmatch.privacy import tasks as tasks_privacy

__all__ = ["alerts", "mail", "tasks_catalogue", "tasks_index", "tasks_learning", "tasks_privacy"]
