"""Harvesting members' catalogues and repositories over OAI-PMH and SLiMS's MODS search."""
