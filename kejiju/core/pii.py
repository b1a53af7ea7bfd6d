"""Encryption and keyed hashing of personal data (身份证号, mobile numbers, session keys) — of experts, of
applicants and their team members, of 科研诚信 records, of online sessions: one mechanism for every record
that holds them.

Encryption is SM4-GCM (GB/T 32907, the 国密 block cipher, in the authenticated GCM mode) with keys from
the key provider (kejiju.core.keys: the environment today, an HSM or a KMS later). A stored value is
``sm4gcm:v<version>:<base64url(nonce | ciphertext | tag)>``: it names its key version, so values under an
older version stay readable while ``manage.py rotate_pii_key`` re-encrypts them under the current one, and
it carries a fresh 12-byte random nonce.

Each value is bound to its row and its column through the GCM associated data
``<app_label>.<model>.<column>:<row identity>``: a value copied to another row or another column does not
decrypt (PIIError). The row identity is the row's ``pii_row``, a random UUID set when the model instance
is created — before the first insert, unlike the primary key, so a value is sealed once, in the same
INSERT as the rest of the row (bulk_create included), and never changes afterwards. Copying personal data
to another record therefore re-seals it for the target (``copy_id_number``).

Columns holding such values are ``SealedField``s: the one registry through which rotation finds every
one of them (``sealed_models``); a model with one must have a ``pii_row`` (checked at start-up).

Values written before SM4 (Fernet, no prefix) stay readable until rotation rewrites them. The keyed
digest for exact search and uniqueness stays HMAC-SHA256 under the key derived exactly as before: it is
not rotated, so no stored digest, search or unique constraint changes with the encryption key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import uuid
from functools import lru_cache
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.views.decorators.debug import sensitive_variables

from kejiju.core import keys

PURPOSE = "pii"
SCHEME = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16
ROW_FIELD = "pii_row"


class PIIError(Exception):
    """Stored personal data cannot be decrypted (wrong, missing or rotated key, a value copied to another
    row or column, a tampered value). Never carries the data."""


class SealedField(models.TextField):
    """A column of personal data encrypted by this module, bound to its row and column."""


def row_field() -> models.UUIDField:
    """The ``pii_row`` of a model with SealedFields: the identity its values are bound to."""
    return models.UUIDField(
        "个人信息绑定标识",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        error_messages={"unique": "个人信息绑定标识与其他记录重复，请重新保存。"},
    )


def sealed_fields(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if isinstance(field, SealedField)]


def sealed_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with SealedFields and their names, in a stable order."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or model._meta.abstract:
            continue
        if names := sealed_fields(model):
            found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.label)


@checks.register()
def check_sealed_models(app_configs=None, **kwargs) -> list[checks.Error]:
    errors = []
    try:
        keys.provider().current_version(PURPOSE)
    except (ImproperlyConfigured, keys.KeyUnavailable) as error:
        errors.append(checks.Error(f"The keys of personal data are not usable: {error}", id="core.E102"))
    for model, _names in sealed_models():
        field = next((f for f in model._meta.concrete_fields if f.name == ROW_FIELD), None)
        if (
            not isinstance(field, models.UUIDField)
            or not field.unique
            or field.default is models.NOT_PROVIDED
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label} holds sealed personal data but no unique UUID {ROW_FIELD} with a "
                    "default: its values cannot be bound to their rows.",
                    obj=model,
                    id="core.E101",
                )
            )
    return errors


def binding(instance: models.Model, field: str) -> bytes:
    """The associated data of a value: its model, column and row."""
    row = getattr(instance, ROW_FIELD)
    if not row:
        raise PIIError("个人信息无法加密：记录缺少绑定标识。")
    return f"{instance._meta.label_lower}.{field}:{row}".encode()


def _cipher(version: int, nonce: bytes, tag: bytes | None = None) -> Cipher:
    try:
        key = keys.provider().key(PURPOSE, version)
    except keys.KeyUnavailable:
        raise PIIError(f"个人信息无法解密：缺少第 {version} 版密钥。") from None
    return Cipher(algorithms.SM4(key), modes.GCM(nonce, tag))


@sensitive_variables("value")
def encrypt(value: str, *, aad: bytes) -> str:
    """SM4-GCM under the current key version, bound to ``aad`` (see ``binding``)."""
    version = keys.provider().current_version(PURPOSE)
    nonce = os.urandom(NONCE_BYTES)
    encryptor = _cipher(version, nonce).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(value.encode()) + encryptor.finalize()
    payload = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode("ascii")
    return f"{SCHEME}:v{version}:{payload}"


def token_version(token: str) -> int | None:
    """The key version a stored value names; None for a value written before SM4 (Fernet)."""
    scheme, _, rest = token.partition(":")
    if scheme != SCHEME:
        return None
    version, _, _ = rest.partition(":")
    try:
        return int(version.removeprefix("v"))
    except ValueError:
        raise PIIError("个人信息无法解密：密文格式错误。") from None


@lru_cache(maxsize=4)
def _fernet(key: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(key))


@sensitive_variables("token")
def decrypt(token: str, *, aad: bytes) -> str:
    version = token_version(token)
    if version is None:
        fernet = _fernet(keys.provider().key("pii-fernet", 1))
        try:
            return fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise PIIError("个人信息无法解密：密钥可能已更换。") from None
    try:
        raw = base64.urlsafe_b64decode(token.split(":", 2)[2].encode("ascii"))
    except (binascii.Error, ValueError, IndexError):
        raise PIIError("个人信息无法解密：密文格式错误。") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise PIIError("个人信息无法解密：密文格式错误。")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = _cipher(version, nonce, tag).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except (InvalidTag, UnicodeDecodeError):
        raise PIIError("个人信息无法解密：密文已被篡改，或不属于这条记录。") from None


@sensitive_variables("value")
def seal(instance: models.Model, field: str, value: str) -> None:
    """Encrypt ``value`` into ``instance.<field>``, bound to that row and column."""
    setattr(instance, field, encrypt(value, aad=binding(instance, field)))


def unseal(instance: models.Model, field: str) -> str:
    """The clear text of ``instance.<field>`` ("" for an empty column)."""
    token = getattr(instance, field)
    return decrypt(token, aad=binding(instance, field)) if token else ""


@sensitive_variables("clear")
def reencrypted(token: str, *, aad: bytes) -> str:
    """The same value under the current key version (rotation)."""
    clear = decrypt(token, aad=aad)
    return encrypt(clear, aad=aad)


@sensitive_variables("value")
def digest(value: str) -> str:
    """HMAC-SHA256 of the normalised value, hex: equal values give equal digests under one key."""
    mac = keys.provider().key("pii-digest", 1)
    return hmac.new(mac, value.strip().upper().encode(), hashlib.sha256).hexdigest()


@sensitive_variables("value")
def seal_id_number(instance: models.Model, value: str, *, prefix: str = "") -> None:
    """Store a validated 身份证号 in its three forms: cipher, keyed digest, masked copy (the field names
    every holder of ID numbers uses: id_number_cipher / id_number_digest / id_number_masked, after a
    `prefix` where a record holds someone else's, as a project its leader's: pi_id_number_…)."""
    from kejiju.core.identifiers import mask_id_number

    seal(instance, f"{prefix}id_number_cipher", value)
    setattr(instance, f"{prefix}id_number_digest", digest(value))
    setattr(instance, f"{prefix}id_number_masked", mask_id_number(value))


class SealedSource(NamedTuple):
    """A record's sealed 身份证号 to copy: the record and the prefix of its fields."""

    record: models.Model
    prefix: str = ""


@sensitive_variables("clear")
def copy_id_number(source: SealedSource, target: models.Model, *, prefix: str = "") -> None:
    """Copy a sealed 身份证号 to another record: the digest and the masked copy as they are, the cipher
    re-sealed for the target's row and column (the clear text never leaves this function)."""
    record, source_prefix = source
    clear = unseal(record, f"{source_prefix}id_number_cipher")
    if not clear:
        for name in ("cipher", "digest", "masked"):
            setattr(target, f"{prefix}id_number_{name}", "")
        return
    seal(target, f"{prefix}id_number_cipher", clear)
    setattr(target, f"{prefix}id_number_digest", getattr(record, f"{source_prefix}id_number_digest"))
    setattr(target, f"{prefix}id_number_masked", getattr(record, f"{source_prefix}id_number_masked"))


def pii_row_operations(app_label: str, model_name: str) -> list:
    """Migration operations adding ``pii_row`` to a model with rows: nullable, a fresh UUID per row, then
    unique with its default (a single AddField would give every existing row the same UUID)."""
    from django.db import migrations

    def fill(state_apps, schema_editor) -> None:
        model = state_apps.get_model(app_label, model_name)
        rows = model._base_manager.using(schema_editor.connection.alias).filter(pii_row__isnull=True)
        while batch := list(rows.only("pk")[:1000]):
            for row in batch:
                row.pii_row = uuid.uuid4()
            model._base_manager.using(schema_editor.connection.alias).bulk_update(batch, ["pii_row"])

    return [
        migrations.AddField(
            model_name=model_name,
            name=ROW_FIELD,
            field=models.UUIDField("个人信息绑定标识", null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(model_name=model_name, name=ROW_FIELD, field=row_field()),
    ]
