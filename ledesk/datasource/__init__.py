"""Data sources: the provider's systems LE Desk reads from, behind one small connector interface."""
