"""Link preview from a page's OpenGraph / Twitter card / HTML metadata (BeautifulSoup)."""

from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup


@dataclass(frozen=True)
class Preview:
    url: str
    canonical_url: str
    title: str | None
    description: str | None
    image_url: str | None
    site_name: str | None


def _meta(soup: BeautifulSoup, *keys: str) -> str | None:
    for key in keys:
        tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
        if tag is not None:
            content = tag.get("content")
            if isinstance(content, str) and content.strip():
                return content.strip()
    return None


MAX_URL_CHARS = 2048


def parse_preview(html: bytes | str, url: str) -> Preview:
    soup = BeautifulSoup(html, "html.parser")
    title = _meta(soup, "og:title", "twitter:title")
    if title is None and soup.title is not None and soup.title.string:
        title = soup.title.string.strip() or None
    description = _meta(soup, "og:description", "twitter:description", "description")
    image = _meta(soup, "og:image", "og:image:url", "twitter:image")
    canonical = _meta(soup, "og:url")
    if canonical is None:
        link = soup.find("link", rel="canonical")
        href = link.get("href") if link is not None else None
        canonical = href if isinstance(href, str) and href.strip() else None
    canonical = urljoin(url, canonical) if canonical else None
    image = urljoin(url, image) if image else None
    site_name = _meta(soup, "og:site_name")
    # A page's tags are the page's to choose: absurd lengths are dropped or cut, never stored
    # (the canonical URL is an index key).
    return Preview(
        url=url,
        canonical_url=canonical if canonical and len(canonical) <= MAX_URL_CHARS else url,
        title=title[:300] if title else None,
        description=description[:2000] if description else None,
        image_url=image if image and len(image) <= MAX_URL_CHARS else None,
        site_name=site_name[:200] if site_name else None,
    )
