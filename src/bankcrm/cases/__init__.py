"""One case engine: complaints, service requests, disputes and AML investigations, with legal clocks."""
