import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from kejiju.core.scale import SCALES, app_rng


class Command(BaseCommand):
    help = (
        "Build a large synthetic data set (city or province scale) for benchmarks, deterministic "
        "from a seed: "
        "calls AppConfig.seed_scale(scale=, rng=, stdout=) on each app that has one, "
        "in INSTALLED_APPS order. "
        "Refuses to run unless the database name ends in '_scale' (or --force)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="city")
        parser.add_argument("--seed", type=int, default=20261128)
        parser.add_argument("--force", action="store_true", help="run on a database not named *_scale")

    def handle(self, *args, scale, seed, force, **options):
        name = connection.settings_dict["NAME"] or ""
        allowed = name.endswith("_scale") or force or getattr(settings, "SEED_SCALE_ALLOWED", False)
        if not allowed:
            raise CommandError(
                f"数据库 {name} 的名称不以 _scale 结尾：为免覆盖业务或测试数据，拒绝生成（可加 --force）。"
            )
        size = SCALES[scale]
        started = time.perf_counter()
        for config in apps.get_app_configs():
            seeder = getattr(config, "seed_scale", None)
            if seeder is None:
                continue
            t0 = time.perf_counter()
            with transaction.atomic():
                seeder(scale=size, rng=app_rng(seed, config.label), stdout=self.stdout)
            self.stdout.write(f"  {config.label}: {time.perf_counter() - t0:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"{scale} 规模数据已生成（{time.perf_counter() - started:.0f} 秒）。")
        )
