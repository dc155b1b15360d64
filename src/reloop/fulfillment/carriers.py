"""The parcel carriers a seller can ship with, and where a buyer follows a parcel on the carrier's own site.

``CARRIERS`` maps a stable code (stored on shipments, sent by the API) to the carrier's name, its public tracking
page (``{number}`` is replaced by the URL-quoted tracking number) and the markets it mostly serves (shown first in
the seller's carrier list). Adding a carrier is one line here; nothing is stored in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class CarrierInfo:
    code: str
    name: str
    tracking_url: str
    markets: tuple[str, ...] = ()

    def url_for(self, tracking_number: str) -> str:
        return self.tracking_url.format(number=quote(tracking_number, safe=""))


_ALL = (
    CarrierInfo("colissimo", "Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}", ("fr-fr",)),
    CarrierInfo(
        "chronopost",
        "Chronopost",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}",
        ("fr-fr",),
    ),
    CarrierInfo(
        "dhl",
        "DHL Express",
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}",
    ),
    CarrierInfo(
        "deutsche_post",
        "Deutsche Post DHL",
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={number}",
        ("de-de",),
    ),
    CarrierInfo("dpd", "DPD", "https://tracking.dpd.de/status/en_US/parcel/{number}", ("de-de", "fr-be", "de-at")),
    CarrierInfo("gls", "GLS", "https://gls-group.com/EU/en/parcel-tracking?match={number}"),
    CarrierInfo("ups", "UPS", "https://www.ups.com/track?tracknum={number}", ("en-us",)),
    CarrierInfo("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}", ("en-us",)),
    CarrierInfo("fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}", ("en-us",)),
    CarrierInfo(
        "royal_mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{number}", ("en-gb",)
    ),
    CarrierInfo("evri", "Evri", "https://www.evri.com/track/parcel/{number}", ("en-gb",)),
    CarrierInfo("postnl", "PostNL", "https://postnl.nl/tracktrace/?B={number}&D=NL&T=C", ("nl-nl",)),
    CarrierInfo("bpost", "bpost", "https://track.bpost.cloud/btr/web/#/search?itemCode={number}&lang=en", ("fr-be",)),
    CarrierInfo(
        "correos",
        "Correos",
        "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number={number}",
        ("es-es",),
    ),
    CarrierInfo(
        "poste_italiane",
        "Poste Italiane",
        "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}",
        ("it-it",),
    ),
    CarrierInfo(
        "austrian_post", "Österreichische Post", "https://www.post.at/s/sendungsdetails?snr={number}", ("de-at",)
    ),
    CarrierInfo(
        "ctt",
        "CTT",
        "https://www.ctt.pt/feapl_2/app/open/objectSearch/objectSearch.jspx?objects={number}",
        ("pt-pt",),
    ),
    CarrierInfo("an_post", "An Post", "https://www.anpost.com/Post-Parcels/Track/History?item={number}", ("en-ie",)),
    CarrierInfo(
        "elta", "ELTA Hellenic Post", "https://www.elta.gr/en-us/personal/tracktrace.aspx?qc={number}", ("el-gr",)
    ),
    CarrierInfo("slovak_post", "Slovenská pošta", "https://tandt.posta.sk/en/items/{number}", ("sk-sk",)),
    CarrierInfo(
        "postnord", "PostNord", "https://www.postnord.se/en/our-tools/track-and-trace?shipmentId={number}", ("sv-se",)
    ),
    CarrierInfo(
        "japan_post",
        "Japan Post",
        "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}&locale=en",
        ("ja-jp",),
    ),
    CarrierInfo(
        "yamato", "Yamato Transport", "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number01={number}", ("ja-jp",)
    ),
    CarrierInfo("australia_post", "Australia Post", "https://auspost.com.au/mypost/track/details/{number}", ("en-au",)),
)

CARRIERS: dict[str, CarrierInfo] = {carrier.code: carrier for carrier in _ALL}


def carrier_choices(market: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for a select: the market's usual carriers first, then the others, each group by name."""
    return [
        (c.code, c.name) for c in sorted(CARRIERS.values(), key=lambda c: (market not in c.markets, c.name.casefold()))
    ]


def tracking_url(carrier: str, tracking_number: str) -> str | None:
    info = CARRIERS.get(carrier)
    return info.url_for(tracking_number) if info else None
