"""Two shipments of one seller order at the same moment: exactly one is written, whatever the interleaving."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from reloop.core.errors import DomainError
from reloop.devices.models import DeviceEvent
from reloop.devices.tests.factories import imei
from reloop.fulfillment.models import Shipment
from reloop.fulfillment.services import ship_seller_order
from reloop.orders.domain import LineState
from reloop.orders.tests.factories import a_phone_order


def _race(seller, part, line, payloads):
    barrier = threading.Barrier(len(payloads))
    results: list[object] = [None] * len(payloads)

    def run(i, number, unit):
        try:
            barrier.wait()
            results[i] = ship_seller_order(
                actor=None,
                seller=seller,
                seller_order_id=part.pk,
                carrier="dhl",
                tracking_number=number,
                units={line.pk: [unit]},
            ).pk
        except DomainError as exc:
            results[i] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *p)) for i, p in enumerate(payloads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_different_shipments_write_one():
    seller, part, line = a_phone_order()
    results = _race(seller, part, line, [(f"JD{i:08}", imei(i)) for i in range(6)])
    shipment = Shipment.objects.get()
    # one call wrote it; the others waited on the unique shipment, then were refused
    assert sorted(results, key=str) == sorted([shipment.pk] + ["already_shipped"] * 5, key=str)
    line.refresh_from_db()
    assert line.state == LineState.SHIPPED
    assert line.events.filter(to_state=LineState.SHIPPED).count() == 1
    assert DeviceEvent.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_the_same_shipment_all_get_it():
    seller, part, line = a_phone_order()
    results = _race(seller, part, line, [("JD00000001", imei(1))] * 6)
    shipment = Shipment.objects.get()
    assert results == [shipment.pk] * 6  # the losers hit the unique shipment and answer the replay
    assert line.events.filter(to_state=LineState.SHIPPED).count() == 1
