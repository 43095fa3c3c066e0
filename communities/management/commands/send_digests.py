from django.core.management.base import BaseCommand, CommandError

from communities.discussions.services.notifications import do_send_digests


class Command(BaseCommand):
    help = (
        "Send the daily digest emails now. With --schedule, queue the daily digest task instead: the "
        "task worker (manage.py db_worker) then sends digests at 07:00 every day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", action="store_true", help="Queue the daily task for the worker."
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            from django_tasks import default_task_backend

            from communities.discussions.tasks import next_digest_time, send_daily_digests

            if not default_task_backend.supports_defer:
                raise CommandError(
                    "The task backend runs tasks at once and cannot schedule them (TASKS_BACKEND=immediate): "
                    "use TASKS_BACKEND=database with the worker, or run `manage.py send_digests` daily from cron."
                )
            when = next_digest_time()
            send_daily_digests.using(run_after=when).enqueue()
            self.stdout.write(
                f"Daily digests queued; the worker first sends them at {when:%Y-%m-%d %H:%M}."
            )
            return
        sent = do_send_digests()
        self.stdout.write(f"Sent {sent} digest email{'s' if sent != 1 else ''}.")
