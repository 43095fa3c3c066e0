from __future__ import annotations

from django.db import transaction
from django.utils.module_loading import import_string


def enqueue(task_path: str, *args, **kwargs):
    return import_string(task_path).enqueue(*args, **kwargs)


def enqueue_on_commit(task_path: str, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(task_path, *args, **kwargs))
