"""Prefect flows: thin shells over states/, intake/, vault/ and delivery/ (the orchestration issue)."""
