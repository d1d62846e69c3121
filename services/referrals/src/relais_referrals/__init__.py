"""relais_referrals."""
