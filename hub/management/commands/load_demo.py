from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from hub.services.demo import ADMIN_EMAIL, DEMO_EMAIL, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo hub: real English councils and benchmarking data, communities, members, threads "
        "and good practice. Idempotent."
    )

    def handle(self, *args, **options):
        # Demo people have example addresses: the notifications their demo activity causes are not sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            result = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result.areas_created} areas, {result.members_created} members, "
                f"{result.communities_created} communities, {result.threads_created} threads, "
                f"{result.good_practice_created} good-practice pages created."
            )
        )
        for note in result.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write(
            f"Demo sign-in: {DEMO_EMAIL} / {DEMO_PASSWORD} (site staff: {ADMIN_EMAIL})"
        )
