"""Devices: units identified by IMEI or serial, IMEI checks, and the device passport."""
