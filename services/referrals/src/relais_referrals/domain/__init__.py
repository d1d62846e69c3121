"""The referrals service's domain layer."""
