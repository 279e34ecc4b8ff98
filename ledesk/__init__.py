"""LE Desk: law-enforcement request handling for a cloud provider's legal team."""
