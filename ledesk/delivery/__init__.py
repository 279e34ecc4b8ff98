"""Outbox delivery: every outbound message leaves through here, by SMTP or as .eml files."""
