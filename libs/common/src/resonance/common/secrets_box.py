"""Secrets at rest (social tokens, webhook signing secrets): sealed with Fernet
(AES-128-CBC + HMAC-SHA256, from `cryptography`), several keys for rotation.

The first key seals; every key opens. To rotate: put a new key first, keep the old ones
until `reseal` has run over the stored values, then drop them.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretsUnavailable(RuntimeError):
    """The service was started without a key: it cannot read or store secrets."""


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SecretsUnavailable("no secret key configured (RESONANCE_<SERVICE>_SECRET_KEYS)")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SecretsUnavailable("secret sealed with a key this service does not hold") from exc

    def reseal(self, sealed: str) -> str:
        """The same secret sealed with the current first key."""
        return self._fernet.rotate(sealed.encode()).decode()
