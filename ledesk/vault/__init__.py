"""The preservation vault: snapshots held encrypted, one key per hold, destroyed provably on purge."""
