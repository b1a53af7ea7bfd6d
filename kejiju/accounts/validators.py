import re

from django.core.exceptions import ValidationError

_CLASSES = (
    ("小写字母", re.compile(r"[a-z]")),
    ("大写字母", re.compile(r"[A-Z]")),
    ("数字", re.compile(r"\d")),
    ("特殊字符", re.compile(r"[^A-Za-z0-9]")),
)


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters (等保 2.0 level 3)."""

    required = 3

    def validate(self, password: str, user=None) -> None:
        present = sum(1 for _, pattern in _CLASSES if pattern.search(password))
        if present < self.required:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。"


class PasswordHistoryValidator:
    """A new password may not be one of the last five (the current one included)."""

    def validate(self, password: str, user=None) -> None:
        from django.contrib.auth.hashers import check_password

        from .models import PasswordHistory

        if user is None or user.pk is None:
            return
        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : PasswordHistory.KEEP
            ]
        )
        if user.password:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                f"新密码不能与最近 {PasswordHistory.KEEP} 次使用过的密码相同。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return "新密码不能与最近 5 次使用过的密码相同。"
