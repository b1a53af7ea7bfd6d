"""Encryption and keyed hashing of personal data (身份证号, mobile numbers) — of experts, of applicants' team
members: one mechanism for every record that holds them.

The key comes from the setting ``PII_ENCRYPTION_KEY`` (read from the environment by the settings); without it
the demo falls back to a key derived from ``SECRET_KEY``. Two independent keys are derived from it: one for
Fernet (AES-128-CBC + HMAC-SHA256, authenticated) and one for the HMAC-SHA256 digest used for exact search
and uniqueness, so the digest reveals nothing without the key and the ciphertext cannot be searched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.views.decorators.debug import sensitive_variables


class PIIError(Exception):
    """Stored personal data cannot be decrypted (wrong or rotated key). Never carries the data."""


def _secret() -> bytes:
    key = getattr(settings, "PII_ENCRYPTION_KEY", None)
    if key:
        return key.encode() if isinstance(key, str) else bytes(key)
    return ("pii-fallback:" + settings.SECRET_KEY).encode()


@lru_cache(maxsize=4)
def _keys(secret: bytes) -> tuple[Fernet, bytes]:
    # The labels keep the module's first home: changing them would orphan every stored value.
    enc = hashlib.sha256(b"kejiju.experts.pii.encrypt\x00" + secret).digest()
    mac = hashlib.sha256(b"kejiju.experts.pii.digest\x00" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(enc)), mac


@sensitive_variables("value")
def encrypt(value: str) -> str:
    fernet, _ = _keys(_secret())
    return fernet.encrypt(value.encode()).decode("ascii")


@sensitive_variables("token")
def decrypt(token: str) -> str:
    fernet, _ = _keys(_secret())
    try:
        return fernet.decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise PIIError("个人信息无法解密：密钥可能已更换。") from None


@sensitive_variables("value")
def digest(value: str) -> str:
    """HMAC-SHA256 of the normalised value, hex: equal values give equal digests under one key."""
    _, mac = _keys(_secret())
    return hmac.new(mac, value.strip().upper().encode(), hashlib.sha256).hexdigest()


@sensitive_variables("value")
def sealed_id_number(value: str, *, prefix: str = "") -> dict[str, str]:
    """The three stored forms of a validated 身份证号: cipher, keyed digest, masked copy (the field names
    every holder of ID numbers uses: id_number_cipher / id_number_digest / id_number_masked, after a
    `prefix` where a record holds someone else's, as a project its leader's: pi_id_number_…)."""
    from kejiju.core.identifiers import mask_id_number

    return {
        f"{prefix}id_number_cipher": encrypt(value),
        f"{prefix}id_number_digest": digest(value),
        f"{prefix}id_number_masked": mask_id_number(value),
    }
