"""virtual_chassis package."""
