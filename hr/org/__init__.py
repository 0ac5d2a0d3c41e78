"""The organisation: institutions (tilbud), units (afdelinger), employees, methods."""
