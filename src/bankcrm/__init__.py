"""BankCRM: compliance-first CRM for US banks."""

__version__ = "0.1.0"
