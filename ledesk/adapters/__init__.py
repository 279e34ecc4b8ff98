"""Persistence: how cases, their steps, the audit chain, timers, tokens and the provision ledgers are
read from and written to the case database, always inside a transaction the caller (the service layer's
unit of work) gives. The rules they apply are ledesk.states, which imports nothing from here."""
