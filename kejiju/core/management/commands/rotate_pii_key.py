from django.core.management.base import BaseCommand, CommandError

from kejiju.core import keys, pii
from kejiju.core.services import PIIRotation, pii_key_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every column of personal data (kejiju.core.pii SealedFields) under the current key "
        "version (PII_KEY_VERSION), in batches, while the portal runs; values under older versions stay "
        "readable until it finishes. Run it again to continue after a stop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500)")
        parser.add_argument("--limit", type=int, default=None, help="Stop after this many rows")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be re-encrypted")

    def handle(self, *args, batch_size, limit, dry_run, **options):
        if batch_size < 1 or (limit is not None and limit < 1):
            raise CommandError("--batch-size and --limit must be positive.")
        provider = keys.provider()
        version = provider.current_version(pii.PURPOSE)
        self.stdout.write(
            f"Current key version: {version} (versions available: {provider.versions(pii.PURPOSE)})"
        )
        outcomes, stopped = pii_key_rotate(
            batch_size=batch_size, limit=limit, dry_run=dry_run, progress=self._progress
        )
        for outcome in outcomes:
            if dry_run:
                detail = ", ".join(f"{name} {count}" for name, count in outcome.fields.items())
                self.stdout.write(f"{outcome.model}: {outcome.pending} rows to re-encrypt ({detail})")
                continue
            line = f"{outcome.model}: {outcome.rotated} of {outcome.pending} rows re-encrypted"
            if outcome.left:
                line += f", {outcome.left} left"
            self.stdout.write(line)
            if outcome.failed:
                shown = ", ".join(str(pk) for pk in outcome.failed[:20])
                self.stderr.write(f"{outcome.model}: {len(outcome.failed)} rows do not decrypt (pk {shown})")
        if dry_run:
            return
        if stopped:
            self.stdout.write(f"Stopped at --limit {limit}: run again to continue.")
        elif any(outcome.failed for outcome in outcomes):
            raise CommandError("Some values do not decrypt: keep every old key until they are dealt with.")
        elif any(outcome.left for outcome in outcomes):
            self.stdout.write("Rows were locked or changed meanwhile: run again to finish.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Every value is under key version {version}: older versions may leave PII_KEYS."
                )
            )

    def _progress(self, outcome: PIIRotation) -> None:
        self.stdout.write(f"  {outcome.model}: {outcome.rotated}/{outcome.pending}")
