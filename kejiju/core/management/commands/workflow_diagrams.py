from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kejiju.core.workflow.diagram import workflows_document


class Command(BaseCommand):
    help = "Write docs/workflows.md from the workflow declarations (--check: fail when it differs)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check=False, **options):
        path = Path(settings.BASE_DIR) / "docs" / "workflows.md"
        text = workflows_document() + "\n"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(
                    "docs/workflows.md differs from the declarations: run manage.py workflow_diagrams"
                )
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
