from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.saved.services import do_run_due_saved_searches


class Command(BaseCommand):
    help = (
        "Run the daily and weekly saved searches that are due now (what they find goes into the "
        "next digest). With --schedule, queue the daily task instead: the task worker then runs "
        "them every day a quarter of an hour before the digest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="Queue the daily task for the worker."
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        if schedule:
            from django_tasks import default_task_backend

            from search.saved.tasks import next_run_time, run_due_saved_searches

            if not default_task_backend.supports_defer:
                raise CommandError(
                    "The task backend runs tasks at once and cannot schedule them "
                    "(TASKS_BACKEND=immediate): use TASKS_BACKEND=database with the worker, or "
                    "run `manage.py saved_searches` daily from cron before the digest."
                )
            when = next_run_time()
            run_due_saved_searches.using(run_after=when).enqueue()
            self.stdout.write(
                f"Saved searches queued; the worker first runs them at {when:%Y-%m-%d %H:%M}."
            )
            return
        made = do_run_due_saved_searches()
        self.stdout.write(
            f"Delivered {made} new result{'s' if made != 1 else ''} of saved searches."
        )
