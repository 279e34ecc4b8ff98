"""Reports for the compliance lead: the transparency report, the statutory half-year reports, invoices."""
