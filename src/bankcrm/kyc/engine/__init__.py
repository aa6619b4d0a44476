"""KYC engines (plain Python, no Django import): CIP application validation, the onboarding status
machine, verification-evidence evaluation and the CDD/EDD risk-factor model."""
