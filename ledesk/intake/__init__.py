"""Intake channels: reading what authorities send (JSON, filled .docx forms, e-mail) into submissions."""
