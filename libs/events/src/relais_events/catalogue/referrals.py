"""Events of the referrals context."""
