"""What arrives (pydantic schemas), what is kept (SQLAlchemy tables), and how to reach the database."""
