"""The `ledesk` command: a thin shell over the domain in states/."""
