"""The referrals service's entrypoints layer."""
