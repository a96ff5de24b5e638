"""CLI command modules beyond the core ones in ``attunement.cli``; each exposes ``command``."""
