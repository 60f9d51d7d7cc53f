"""HMAC-SHA256 over `timestamp + "." + body`, with a freshness window (pure)."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["ok", "missing", "malformed", "stale", "bad_signature"]

# Unix seconds fit in 12 digits until the year 33658; anything longer is not a timestamp (and a
# 400-digit one would overflow the float arithmetic of the freshness check).
MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class SignatureCheck:
    verdict: Verdict
    digest: str | None = None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now_s: float,
    window_s: int,
) -> SignatureCheck:
    if not timestamp or not signature:
        return SignatureCheck("missing")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return SignatureCheck("malformed")
    sent_at = int(timestamp)
    scheme, _, digest = signature.partition("=")
    if scheme != "sha256" or len(digest) != 64:
        return SignatureCheck("malformed")
    if abs(now_s - sent_at) > window_s:
        return SignatureCheck("stale")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected, signature.lower()):
        return SignatureCheck("bad_signature")
    return SignatureCheck("ok", digest.lower())
