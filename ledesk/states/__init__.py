"""The rules of a case: the transition table, its guards, timers, notices, and the engine that applies
them in one database transaction. Pure of Prefect, FastAPI and the CLI."""
