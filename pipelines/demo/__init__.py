"""Synthetic demo data: the demo register, staff, partners and activity exports."""
