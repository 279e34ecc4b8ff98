"""Policy data: every legal number LE Desk works by, and the calendar those numbers are counted on."""
