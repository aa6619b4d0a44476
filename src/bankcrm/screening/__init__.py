"""Watch lists (OFAC SDN, consolidated non-SDN, FinCEN 314(a), internal), screening runs, hits and dispositions."""
