"""The `ledesk` command: a thin shell over the service layer (ledesk.services)."""
