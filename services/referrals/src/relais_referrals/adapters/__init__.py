"""The referrals service's adapters layer."""
