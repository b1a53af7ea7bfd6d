"""The one HMAC-SM3 mechanism of archives and backup manifests: streamed files, the demo's derived key,
malformed keys refused, a key identifier that reveals nothing of the key."""

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.core.exceptions import ImproperlyConfigured

from kejiju.core import integrity_mac


def _hmac_sm3(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def test_a_file_is_read_in_blocks_and_sealed_like_its_bytes(tmp_path, settings):
    data = bytes(range(256)) * 9000  # more than one block
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    key = base64.b64decode(settings.INTEGRITY_MAC_KEY)
    seal = integrity_mac.seal_file(path)
    assert seal == integrity_mac.seal_bytes(data)
    assert seal["mac"] == _hmac_sm3(key, data)
    integrity_mac.check_file(path, seal)
    with pytest.raises(integrity_mac.IntegrityMacError, match=r"big\.bin"):
        integrity_mac.check_bytes(data[:-1], seal, what="big.bin")


def test_the_demo_derives_a_key_of_its_own_from_secret_key(settings):
    settings.INTEGRITY_MAC_KEY = None
    seal = integrity_mac.seal_bytes(b"x")
    current, retired = integrity_mac.integrity_keys()
    assert retired == [] and len(current) == 32
    assert settings.SECRET_KEY.encode() not in current
    integrity_mac.check_bytes(b"x", seal, what="x")
    settings.SECRET_KEY = "another-demo-secret"
    with pytest.raises(integrity_mac.IntegrityMacError, match="不是当前密钥"):
        integrity_mac.check_bytes(b"x", seal, what="x")


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_refused(settings, value):
    settings.INTEGRITY_MAC_KEY = value
    with pytest.raises(ImproperlyConfigured, match="INTEGRITY_MAC_KEY"):
        integrity_mac.seal_bytes(b"x")


def test_a_seal_names_its_key_without_revealing_it(settings):
    seal = integrity_mac.seal_bytes(b"x")
    key = base64.b64decode(settings.INTEGRITY_MAC_KEY)
    assert seal["key_id"] == integrity_mac.key_id_of(key) and len(seal["key_id"]) == 16
    assert key.hex()[:16] != seal["key_id"] and settings.INTEGRITY_MAC_KEY not in str(seal)
    for broken in ({}, {**seal, "algorithm": "HMAC-SHA256"}, {**seal, "mac": "00" * 32}):
        with pytest.raises(integrity_mac.IntegrityMacError):
            integrity_mac.check_bytes(b"x", broken, what="x")
