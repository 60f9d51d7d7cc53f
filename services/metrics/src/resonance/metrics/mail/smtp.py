"""Outgoing e-mail: a message with an HTML part (and its images) and a plain-text part, sent
over SMTP with aiosmtplib. The local stack and the tests point it at the SMTP sink."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from resonance.metrics.settings import MetricsSettings


@dataclass(frozen=True)
class Mail:
    to: Sequence[str]
    subject: str
    text: str
    html: str
    images: Sequence[tuple[str, bytes]] = ()  # (content id, PNG) referenced as cid:<id>
    headers: Mapping[str, str] = field(default_factory=dict)


def build_message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="resonance.localhost")
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    html_part = message.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    for cid, png in mail.images:
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=f"{cid}.png")
    return message


async def send(settings: MetricsSettings, mail: Mail) -> None:
    """Raises aiosmtplib.SMTPException or OSError when the server refuses or is away."""
    await aiosmtplib.send(
        build_message(settings.mail_from, mail),
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        use_tls=settings.smtp_use_tls,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_s,
    )
