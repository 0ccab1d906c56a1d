"""A self-signed certificate for the test servers on 127.0.0.1 (``openssl``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def self_signed(cert: Path, key: Path, alt_names: str = "IP:127.0.0.1,DNS:localhost") -> None:
    """Write a self-signed certificate for 127.0.0.1 valid for two days to ``cert`` and its
    key to ``key``; ``alt_names`` is its subjectAltName."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is not installed: `./dev test` installs it as root (apt-get install openssl)")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            f"subjectAltName={alt_names}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
