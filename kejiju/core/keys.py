"""Where the portal's secret keys come from: one provider interface, chosen by the setting ``KEY_PROVIDER``
(a dotted path), so that an HSM or a KMS can replace the environment without touching the code that uses
the keys.

A key serves one *purpose* (``"pii"``: the SM4 key of personal data at rest; ``"pii-digest"``: the HMAC key
of the search digests; ``"pii-fernet"``: the retired Fernet key, read only; ``"integrity-mac"``: the
HMAC-SM3 key of audit archives and backup manifests, kept apart from the others) and has integer
*versions*: new values are written under the purpose's current version, older versions stay readable as long
as the provider still has them.

``EnvironmentKeyProvider`` (the default) reads the keys from the settings, which django-environ fills from
the environment:

- ``PII_KEYS``: ``"2:<base64 of 16 bytes>,1:<base64 of 16 bytes>"``, the SM4 keys by version, and
  ``PII_KEY_VERSION``, the version new values are written under (0 or unset: the highest listed).
  Left empty (the embedded demo, the tests), version 1 is derived from ``PII_ENCRYPTION_KEY`` — or, without
  it, from ``SECRET_KEY`` — so that `make run` needs nothing; `settings_prod` requires ``PII_KEYS``.
- ``PII_ENCRYPTION_KEY``: the secret the digest key and the retired Fernet key are derived from, exactly as
  before SM4, so that every stored digest (searches, unique constraints) stays valid. It is never rotated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


class KeyUnavailable(Exception):
    """The provider has no key for this purpose and version (never carries key material)."""


@runtime_checkable
class KeyProvider(Protocol):
    def current_version(self, purpose: str) -> int:
        """The version new values of this purpose are written under."""

    def key(self, purpose: str, version: int) -> bytes:
        """The key bytes of (purpose, version); raises KeyUnavailable when the provider has none."""

    def versions(self, purpose: str) -> list[int]:
        """Every version of this purpose the provider can still give, ascending."""


@dataclass(frozen=True)
class EnvironmentPurpose:
    """How EnvironmentKeyProvider finds the keys of one purpose. ``keys_setting`` names a setting of
    ``"version:base64key"`` pairs separated by commas (empty: one version derived from the PII secret with
    ``derive_label``); ``version_setting`` the current version (0: the highest). A purpose whose settings
    have another shape gives a ``reader`` (every version's key, the highest current) and the
    ``reader_settings`` it reads."""

    length: int
    derive_label: bytes
    keys_setting: str = ""
    version_setting: str = ""
    reader: Callable[[], dict[int, bytes]] | None = None
    reader_settings: tuple[str, ...] = field(default=())


INTEGRITY_MAC_MIN_KEY_BYTES = 32


def decode_integrity_mac_key(value: str | bytes) -> bytes:
    """The raw key of a configured ``INTEGRITY_MAC_KEY`` value (standard or URL-safe base64);
    ImproperlyConfigured otherwise."""
    text = value.decode("ascii") if isinstance(value, bytes) else str(value)
    text = text.strip()
    try:
        raw = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured("INTEGRITY_MAC_KEY 须为 base64 编码的密钥。") from None
    if len(raw) < INTEGRITY_MAC_MIN_KEY_BYTES:
        raise ImproperlyConfigured(
            f"INTEGRITY_MAC_KEY 解码后须至少 {INTEGRITY_MAC_MIN_KEY_BYTES} 字节（当前 {len(raw)} 字节）。"
        )
    return raw


def integrity_mac_fallback_key() -> bytes:
    """The embedded demo's and the tests' integrity key (SM3 of a label and ``SECRET_KEY``): settings_prod
    refuses to start without INTEGRITY_MAC_KEY."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"kejiju.integrity-mac.fallback\x00" + settings.SECRET_KEY.encode())
    return digest.finalize()


def integrity_mac_keys() -> dict[int, bytes]:
    """The HMAC-SM3 keys of audit archives and backup manifests (kejiju.core.integrity_mac):
    ``INTEGRITY_MAC_RETIRED_KEYS`` (verification only) as the earlier versions, ``INTEGRITY_MAC_KEY`` the
    current one; without it (the embedded demo, the tests: settings_prod requires it) a key derived from
    ``SECRET_KEY``."""
    configured = getattr(settings, "INTEGRITY_MAC_KEY", None)
    current = decode_integrity_mac_key(configured) if configured else integrity_mac_fallback_key()
    retired = [
        decode_integrity_mac_key(value)
        for value in getattr(settings, "INTEGRITY_MAC_RETIRED_KEYS", None) or []
    ]
    return dict(enumerate([*retired, current], start=1))


PURPOSES: dict[str, EnvironmentPurpose] = {
    "pii": EnvironmentPurpose(
        length=16, derive_label=b"kejiju.pii.sm4", keys_setting="PII_KEYS", version_setting="PII_KEY_VERSION"
    ),
    # The labels keep the module's first home: changing them would orphan every stored digest and the
    # Fernet values not yet rotated.
    "pii-digest": EnvironmentPurpose(length=32, derive_label=b"kejiju.experts.pii.digest"),
    "pii-fernet": EnvironmentPurpose(length=32, derive_label=b"kejiju.experts.pii.encrypt"),
    "integrity-mac": EnvironmentPurpose(
        length=0,
        derive_label=b"",
        reader=integrity_mac_keys,
        reader_settings=("INTEGRITY_MAC_KEY", "INTEGRITY_MAC_RETIRED_KEYS"),
    ),
}

_PAIR = re.compile(r"^\s*(\d+)\s*:\s*(\S+)\s*$")


def pii_secret() -> bytes:
    key = getattr(settings, "PII_ENCRYPTION_KEY", None)
    if key:
        return key.encode() if isinstance(key, str) else bytes(key)
    return ("pii-fallback:" + settings.SECRET_KEY).encode()


def derive(label: bytes, secret: bytes, length: int) -> bytes:
    return hashlib.sha256(label + b"\x00" + secret).digest()[:length]


def parse_keys(text: str, *, name: str, length: int) -> dict[int, bytes]:
    """``"2:<base64>,1:<base64>"`` → {2: bytes, 1: bytes}; ImproperlyConfigured naming the setting and the
    version (never the key) for anything else."""
    keys: dict[int, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = _PAIR.match(item)
        if not match:
            raise ImproperlyConfigured(f"{name}: each entry must be version:base64key.")
        version = int(match[1])
        try:
            key = base64.b64decode(match[2].replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{name}: the key of version {version} is not base64.") from None
        if version < 1 or version in keys:
            raise ImproperlyConfigured(f"{name}: version {version} is not a new positive integer.")
        if len(key) != length:
            raise ImproperlyConfigured(f"{name}: the key of version {version} must be {length} bytes.")
        keys[version] = key
    return keys


class EnvironmentKeyProvider:
    """Keys from the settings (see the module's docstring)."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[int, bytes]] = {}
        self._current: dict[str, int] = {}
        secret = pii_secret()
        for purpose, spec in PURPOSES.items():
            if spec.reader is not None:
                keys = spec.reader()
                self._keys[purpose], self._current[purpose] = keys, max(keys)
                continue
            text = getattr(settings, spec.keys_setting, "") if spec.keys_setting else ""
            keys = parse_keys(text or "", name=spec.keys_setting, length=spec.length)
            if not keys:
                keys = {1: derive(spec.derive_label, secret, spec.length)}
            current = int(getattr(settings, spec.version_setting, 0) or 0) if spec.version_setting else 0
            current = current or max(keys)
            if current not in keys:
                raise ImproperlyConfigured(f"{spec.version_setting}: no key of version {current}.")
            self._keys[purpose], self._current[purpose] = keys, current

    def _purpose(self, purpose: str) -> dict[int, bytes]:
        try:
            return self._keys[purpose]
        except KeyError:
            raise KeyUnavailable(f"no keys for purpose {purpose!r}") from None

    def current_version(self, purpose: str) -> int:
        self._purpose(purpose)
        return self._current[purpose]

    def key(self, purpose: str, version: int) -> bytes:
        try:
            return self._purpose(purpose)[version]
        except KeyError:
            raise KeyUnavailable(f"no key of version {version} for purpose {purpose!r}") from None

    def versions(self, purpose: str) -> list[int]:
        return sorted(self._purpose(purpose))


@lru_cache(maxsize=1)
def provider() -> KeyProvider:
    """The configured provider, built once per process (settings changes in tests rebuild it)."""
    path = getattr(settings, "KEY_PROVIDER", "") or "kejiju.core.keys.EnvironmentKeyProvider"
    instance = import_string(path)()
    if not isinstance(instance, KeyProvider):
        raise ImproperlyConfigured(f"KEY_PROVIDER {path} does not implement kejiju.core.keys.KeyProvider.")
    return instance


_KEY_SETTINGS = {"KEY_PROVIDER", "PII_ENCRYPTION_KEY", "SECRET_KEY"} | {
    name
    for spec in PURPOSES.values()
    for name in (spec.keys_setting, spec.version_setting, *spec.reader_settings)
    if name
}


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs) -> None:
    if setting in _KEY_SETTINGS:
        provider.cache_clear()
