"""KYC: CIP onboarding, verification evidence, CDD/EDD risk rating, beneficial owners, reviews."""
