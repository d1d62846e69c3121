"""The referrals service's application layer."""
