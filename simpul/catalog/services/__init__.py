"""State changes of the union catalogue: imports, clustering, librarians' decisions, indexing."""
