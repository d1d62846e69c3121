"""The web edge: pages, forms, login, sessions and the security headers."""
