"""Connectors bundled with the daemon."""
