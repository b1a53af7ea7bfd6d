import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kejiju.accounts.roles import Role
from kejiju.accounts.services import user_create


class Command(BaseCommand):
    help = (
        "Create the first system administrator (系统管理员), so that nobody needs the superuser day to day."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="Read from the prompt when omitted.")

    def handle(self, *args, username, password=None, **options):
        password = password or getpass.getpass("密码：")
        try:
            user = user_create(
                username=username, password=password, role=Role.SYSADMIN, display_name="系统管理员"
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(f"已创建系统管理员 {user.username}")
