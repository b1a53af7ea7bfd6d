from django.apps import apps
from django.core.management.base import BaseCommand

from kejiju.core import uploads


class Command(BaseCommand):
    help = "Build the demo world (idempotent): accounts, then each app's demo data in INSTALLED_APPS order."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            seeder = getattr(config, "seed_demo", None)
            if seeder is None:
                continue
            with uploads.atomic():  # a transaction that removes its stored files if it rolls back
                seeder(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
