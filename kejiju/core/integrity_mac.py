"""HMAC-SM3 (GB/T 32905 SM3 in HMAC, GB/T 15852.2) over the files the portal hands to operators to keep:
audit archives and backup manifests. One mechanism: a *seal* is ``{"algorithm", "key_id", "mac"}``; it is
written beside or inside what it covers and checked in constant time before the thing is trusted.

The key is ``INTEGRITY_MAC_KEY`` (base64 of at least 32 random bytes), kept apart from ``SECRET_KEY``, from
the personal-data key and from the backups and archives themselves; ``settings_prod`` refuses to start
without it, the embedded demo derives one from ``SECRET_KEY``. A seal names its key by an identifier (a
digest of the key, never the key), so a seal made under a retired key is told apart from a tampered file:
keys retired by a change stay listed in ``INTEGRITY_MAC_RETIRED_KEYS`` for verification only. The keys
come through the key provider (kejiju.core.keys), as every other key of the portal does.
"""

from __future__ import annotations

import hmac as std_hmac
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from kejiju.core import keys

ALGORITHM = "HMAC-SM3"
_BLOCK = 1 << 20


class IntegrityMacError(Exception):
    """A seal is missing, names an unknown algorithm or key, or does not match: the message says which."""


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def key_id_of(key: bytes) -> str:
    """A short public name of a key: SM3 of a label and the key, 16 hex digits (reveals nothing of it)."""
    return _sm3(b"kejiju.integrity-mac.key-id\x00" + key).hex()[:16]


def integrity_keys() -> tuple[bytes, list[bytes]]:
    """The current key and the retired ones (verification only), from the key provider
    (kejiju.core.keys, purpose "integrity-mac")."""
    provider = keys.provider()
    current = provider.current_version("integrity-mac")
    retired = [provider.key("integrity-mac", v) for v in provider.versions("integrity-mac") if v != current]
    return provider.key("integrity-mac", current), retired


def _key_for(key_id: str | None) -> tuple[str, bytes]:
    current, retired = integrity_keys()
    if key_id is None or key_id == key_id_of(current):
        return key_id_of(current), current
    for key in retired:
        if key_id_of(key) == key_id:
            return key_id, key
    raise IntegrityMacError(
        f"签名密钥（标识 {key_id}）不是当前密钥（标识 {key_id_of(current)}），也不在已停用密钥中："
        "可能是密钥已更换而未保留旧密钥，也可能被篡改。无法验证，拒绝使用。"
    )


def _mac(key: bytes, chunks: Iterable[bytes]) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    for chunk in chunks:
        mac.update(chunk)
    return mac.finalize().hex()


def _file_chunks(path: Path) -> Iterable[bytes]:
    with Path(path).open("rb") as handle:
        yield from iter(lambda: handle.read(_BLOCK), b"")


def seal_bytes(data: bytes) -> dict[str, str]:
    key_id, key = _key_for(None)
    return {"algorithm": ALGORITHM, "key_id": key_id, "mac": _mac(key, [data])}


def seal_file(path: Path) -> dict[str, str]:
    """The seal of a file, read in blocks (an archive or a dump may be large)."""
    key_id, key = _key_for(None)
    return {"algorithm": ALGORITHM, "key_id": key_id, "mac": _mac(key, _file_chunks(path))}


def _check(seal: dict | None, chunks: Iterable[bytes], what: str) -> None:
    if not isinstance(seal, dict) or not seal.get("mac"):
        raise IntegrityMacError(f"{what} 没有 {ALGORITHM} 校验值，无法证明未被篡改，拒绝使用。")
    if seal.get("algorithm") != ALGORITHM:
        raise IntegrityMacError(f"{what} 的校验算法 {seal.get('algorithm')!r} 不是 {ALGORITHM}，拒绝使用。")
    try:
        _, key = _key_for(seal.get("key_id"))
    except IntegrityMacError as error:
        raise IntegrityMacError(f"{what}：{error}") from None
    expected = str(seal["mac"]).lower()
    if not std_hmac.compare_digest(_mac(key, chunks), expected):
        raise IntegrityMacError(f"{what} 的 {ALGORITHM} 校验失败：内容已被改动或损坏，拒绝使用。")


def check_bytes(data: bytes, seal: dict | None, *, what: str) -> None:
    """Raise IntegrityMacError (naming `what`) unless `seal` is a valid seal of `data`."""
    _check(seal, [data], what)


def check_file(path: Path, seal: dict | None, *, what: str | None = None) -> None:
    _check(seal, _file_chunks(path), what or Path(path).name)
