"""The console menu reaches every operator page, and every role's permissions exist in the database."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from reloop.console.roles import ROLES
from reloop.web.console.nav import NAV, NOT_IN_MENU


def _operator_url_names() -> set[str]:
    """Every named route under /operator/ without a path parameter (pages reachable from a menu)."""
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name and route.startswith("operator/") and "<" not in route:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_operator_page_is_in_the_console_menu():
    listed = {link.url_name for link in NAV}
    assert _operator_url_names() - listed - NOT_IN_MENU == set()


@pytest.mark.django_db
def test_every_role_holds_each_of_its_permissions():
    for name, permissions in ROLES.items():
        held = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == set(permissions), name
