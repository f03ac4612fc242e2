"""Protocol faces of the union catalogue: OAI-PMH 2.0 provider (/oai) and SRU 2.0/1.2 (/sru)."""
