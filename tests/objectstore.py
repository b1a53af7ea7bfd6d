"""A real S3-protocol server for the tests: moto's standalone server, started once per test session in a
process of its own (real HTTP, the real boto3 client of django-storages), and a fresh bucket per test.

`object_store` (a fixture) switches the default storage of this process to that bucket, the way
FILE_STORAGE=s3 does in production (kejiju.settings.file_storage), and gives the environment that makes a
web or worker subprocess use the same bucket (`ObjectStore.env`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

ACCESS_KEY = "kejiju-test-access"
SECRET_KEY = "kejiju-test-secret"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, process: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process on port {port} ended with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")


@dataclass(frozen=True)
class ObjectStore:
    endpoint: str
    bucket: str

    @property
    def env(self) -> dict[str, str]:
        """The settings (kejiju/settings.py, FILE_STORAGE) of a process that uses this bucket."""
        return {
            "FILE_STORAGE": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": self.bucket,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_REGION": REGION,
            "S3_ADDRESSING_STYLE": "path",
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def keys(self) -> list[str]:
        paginator = self.client().get_paginator("list_objects_v2")
        return sorted(
            item["Key"]
            for page in paginator.paginate(Bucket=self.bucket)
            for item in page.get("Contents", [])
        )

    def __contains__(self, key: str) -> bool:
        return key in self.keys()

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def create_bucket(self, name: str | None = None) -> ObjectStore:
        store = ObjectStore(endpoint=self.endpoint, bucket=name or f"kejiju-{uuid.uuid4().hex[:12]}")
        store.client().create_bucket(Bucket=store.bucket)
        return store


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[ObjectStore]:
    """moto's S3 server in its own process for the whole session; its endpoint (no bucket yet)."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_PORT": str(port)},
        )
    try:
        wait_for_port(port, process=process)
        yield ObjectStore(endpoint=f"http://127.0.0.1:{port}", bucket="")
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def object_store(s3_server, settings, monkeypatch) -> ObjectStore:
    """A fresh bucket, and this process's default storage in it (as FILE_STORAGE=s3 makes it)."""
    from kejiju.settings import file_storage

    store = s3_server.create_bucket()
    for name, value in store.env.items():
        monkeypatch.setenv(name, value)
    settings.FILE_STORAGE = "s3"
    # Assigning STORAGES resets django.core.files.storage.storages and default_storage (setting_changed).
    settings.STORAGES = {**settings.STORAGES, "default": file_storage("s3")}
    return store
