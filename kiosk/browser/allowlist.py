"""The sites the kiosk's browser may open: the content's official list plus the identity
providers FranceConnect sends people to.

One list (kiosk.content.domains.ALLOWED_DOMAINS) says which sites content may link to;
the browser opens those, and, because a visitor who signs in with FranceConnect is sent
to the provider's own site, the providers' hosts too. A provider is listed by the exact
host the sign-in happens on where that host belongs to a larger commercial site (La
Poste), so that the shop next to it stays closed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kiosk.content.domains import ALLOWED_DOMAINS

# FranceConnect's identity providers (2026). impots.gouv.fr and ameli.fr are already in
# ALLOWED_DOMAINS; they are listed again so the providers read as one list here.
IDENTITY_PROVIDERS: tuple[str, ...] = (
    "franceconnect.gouv.fr",          # the FranceConnect button and its provider chooser
    "impots.gouv.fr",                 # DGFiP
    "ameli.fr",                       # Assurance maladie
    "lidentitenumerique.laposte.fr",  # La Poste, L'Identité Numérique
    "msa.fr",                         # Mutualité sociale agricole
    "france-identite.gouv.fr",        # France Identité (already under gouv.fr)
)


def browser_domains(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every domain the browser may open, sorted, each once (subdomains included)."""
    return tuple(sorted({d.strip().lower() for d in (*ALLOWED_DOMAINS, *IDENTITY_PROVIDERS) if d.strip()}
                        | {d.strip() for d in extra if d.strip()}))


def parse_extra(text: str) -> tuple[str, ...]:
    """[browsing] allow_extra: comma- or space-separated URL filters (tests: http://127.0.0.1)."""
    return tuple(part for part in text.replace(",", " ").split() if part)


def is_browsable(url: str, extra: tuple[str, ...] = ()) -> bool:
    """True for an https URL on an allowed domain, or a URL starting with one of `extra`.

    The same rule the managed policy gives Chromium; the kiosk checks it before asking the
    browser, so a wrong `site` in content never even reaches the browser."""
    parts = urlsplit(url)
    if any(url == e or url.startswith(e.rstrip("/") + "/") or url.startswith(e + ":") for e in extra
           if "://" in e):
        return True
    if parts.scheme != "https" or not parts.hostname:
        return False
    host = parts.hostname.lower()
    domains = browser_domains()
    return any(host == d or host.endswith("." + d) for d in domains)
