"""The one list of sites that content may link to.

Visitors trust what the kiosk shows them, so a link in a content pack may only point to
an official or public-interest site. Subdomains of a listed domain are allowed.
"""

from urllib.parse import urlsplit

ALLOWED_DOMAINS: tuple[str, ...] = (
    "service-public.fr",
    "impots.gouv.fr",
    "ameli.fr",
    "caf.fr",
    "francetravail.fr",
    "ants.gouv.fr",
    "franceconnect.gouv.fr",
    "info-retraite.fr",
    "lassuranceretraite.fr",
    "demande-logement-social.gouv.fr",
    "mesdroitssociaux.gouv.fr",
    "chequeenergie.gouv.fr",
    "monespacesante.fr",
    "solidarite-numerique.fr",
    "cybermalveillance.gouv.fr",
    "education.gouv.fr",
    "gouv.fr",
    "sante.fr",
    "formalites.entreprises.gouv.fr",
    "autoentrepreneur.urssaf.fr",
    "urssaf.fr",
    "economie.gouv.fr",
    "1jeune1solution.gouv.fr",
    "pix.fr",
    "cnil.fr",
    # Issue 17: the agricultural régime's own site, La Poste's identity service (not all of
    # laposte.fr) and the official site of the carte Vitale app (GIE SESAM-Vitale).
    "msa.fr",
    "lidentitenumerique.laposte.fr",
    "applicartevitale.fr",
)


def is_allowed_url(url: str) -> bool:
    """True for an https URL whose host is a listed domain or a subdomain of one."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return False
    host = parts.hostname.lower()
    return any(host == d or host.endswith("." + d) for d in ALLOWED_DOMAINS)
