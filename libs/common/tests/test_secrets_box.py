import pytest

from resonance.common.secrets_box import SecretBox, SecretsUnavailable


def test_sealed_secret_is_not_the_secret_and_opens_back() -> None:
    box = SecretBox([SecretBox.generate_key()])
    sealed = box.seal("whsec_live_42")
    assert "whsec_live_42" not in sealed
    assert box.open(sealed) == "whsec_live_42"
    assert box.seal("whsec_live_42") != sealed  # fresh IV each time


def test_rotation_opens_old_values_and_reseals_with_the_new_key() -> None:
    old, new = SecretBox.generate_key(), SecretBox.generate_key()
    sealed_old = SecretBox([old]).seal("token")
    rotated = SecretBox([new, old])
    assert rotated.open(sealed_old) == "token"
    resealed = rotated.reseal(sealed_old)
    assert SecretBox([new]).open(resealed) == "token"
    with pytest.raises(SecretsUnavailable):
        SecretBox([new]).open(sealed_old)


def test_no_key_no_secrets() -> None:
    with pytest.raises(SecretsUnavailable):
        SecretBox([])
