from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from hub.services.demo import DEMO_PASSWORD, SIGN_INS, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo hub: real English councils and benchmarking data, communities, members, threads "
        "and good practice. Idempotent. Refuses to run with DEBUG off unless given --production, "
        "where the demo accounts get unusable passwords (nobody can sign in as them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--production",
            action="store_true",
            help="load the demo into a hub running with DEBUG off; its accounts cannot sign in",
        )

    def handle(self, *args, production: bool = False, **options):
        if not settings.DEBUG and not production:
            raise CommandError(
                "DEBUG is off: this looks like a production hub, and the demo's accounts share a "
                "published password. Use --production to load the demo with accounts nobody can "
                "sign in as, or run with DEBUG=true."
            )
        # The published password only where DEBUG is on and the flag is not given.
        password = None if production or not settings.DEBUG else DEMO_PASSWORD
        # Demo people have example addresses: the notifications their demo activity causes are not sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            result = load_demo(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result.areas_created} areas, {result.members_created} members, "
                f"{result.communities_created} communities, {result.threads_created} threads, "
                f"{result.good_practice_created} good-practice pages created."
            )
        )
        for note in result.notes:
            self.stdout.write(f"  {note}")
        if password is None:
            self.stdout.write(
                "The demo accounts have unusable passwords: sign in with your own account "
                "(manage.py createsuperuser)."
            )
        else:
            self.stdout.write("Demo sign-ins, one per role (each has something waiting for it):")
            for role, email, waiting in SIGN_INS:
                self.stdout.write(f"  {role + ':':<24}{email} / {DEMO_PASSWORD}  ({waiting})")
