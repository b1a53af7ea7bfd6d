"""PBKDF2 with HMAC-SM3 (GB/T 32905) for stored passwords: Django's PBKDF2 hasher with SM3 as the PRF,
through the `cryptography` (OpenSSL) implementation. Chosen by ``PASSWORD_HASH_ALGORITHM = "sm3"``
(kejiju/settings.py); stored as ``pbkdf2_sm3$<iterations>$<salt>$<base64 hash>``."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.encoding import force_bytes

DEFAULT_ITERATIONS = 500_000  # SM3 has no hardware help: about the time of Django's 1,000,000 SHA-256


def pbkdf2_sm3(password: str, salt: str, iterations: int, length: int = 32) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SM3(), length=length, salt=force_bytes(salt), iterations=iterations)
    return kdf.derive(force_bytes(password))


class PBKDF2SM3PasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sm3"
    digest = None  # not a hashlib constructor: encode() derives through pbkdf2_sm3

    @property
    def iterations(self) -> int:
        # Read per call: the setting moves the work factor, and must_update() rehashes older hashes at login.
        return int(getattr(settings, "PASSWORD_SM3_ITERATIONS", DEFAULT_ITERATIONS))

    def encode(self, password, salt, iterations=None):
        self._check_encode_args(password, salt)
        iterations = iterations or self.iterations
        hash = base64.b64encode(pbkdf2_sm3(password, salt, iterations)).decode("ascii").strip()
        return f"{self.algorithm}${iterations}${salt}${hash}"
