"""Pure computation for cases (no Django import): CFPB taxonomy and classifier, legal clocks, signals."""
