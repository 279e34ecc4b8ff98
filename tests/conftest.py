import os

# Tests never read the wall clock or a developer's own policy or home folder by accident.
for name in ("LEDESK_NOW", "LEDESK_POLICY", "LEDESK_DATABASE_URL", "LEDESK_HOME"):
    os.environ.pop(name, None)
