"""Fulfillment: shipments of seller orders, carriers and tracking, delivery."""
