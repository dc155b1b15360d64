"""The platform's identity (who runs this Reloop), from settings, for the legal notice and the other texts.

Each value comes from an environment variable (README, "Legal pages"); an unset one shows as a visible
"[to be completed: …]" so a missing mention is noticed, never hidden.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from reloop.notifications.site import site_root

FIELDS = {
    "operator_name": "RELOOP_OPERATOR_NAME",
    "operator_legal_form": "RELOOP_OPERATOR_LEGAL_FORM",
    "operator_address": "RELOOP_OPERATOR_ADDRESS",
    "operator_email": "RELOOP_OPERATOR_EMAIL",
    "operator_phone": "RELOOP_OPERATOR_PHONE",
    "operator_registration": "RELOOP_OPERATOR_REGISTRATION",
    "operator_vat_id": "RELOOP_OPERATOR_VAT_ID",
    "operator_representative": "RELOOP_OPERATOR_REPRESENTATIVE",
    "hosting_provider": "RELOOP_HOSTING_PROVIDER",
    "dsa_contact_email": "RELOOP_DSA_CONTACT_EMAIL",
}


def platform_identity() -> dict[str, str]:
    identity: dict[str, str] = {}
    configured = getattr(settings, "RELOOP_OPERATOR", {})
    for name, variable in FIELDS.items():
        value = str(configured.get(name, "") or "").strip()
        identity[name] = value or _("[to be completed: %(variable)s]") % {"variable": variable}
    identity["site_url"] = site_root()
    return identity


def missing_identity_fields() -> list[str]:
    configured = getattr(settings, "RELOOP_OPERATOR", {})
    return [variable for name, variable in FIELDS.items() if not str(configured.get(name, "") or "").strip()]
