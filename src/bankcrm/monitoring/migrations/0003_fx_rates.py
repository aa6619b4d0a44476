"""Seed FX rates to USD for the Berka currency (CZK). Approximate annual averages of the Czech
National Bank's CZK/USD rate (1993-1998), inverted and rounded to 6 decimals: good enough to compare
amounts with monitoring thresholds, not for accounting. The bank loads its own rates for production."""

from django.db import migrations

SOURCE = "approximate annual average CZK/USD (Czech National Bank), inverted; for monitoring thresholds only"
# CZK per USD: 1993 29.15, 1994 28.78, 1995 26.55, 1996 27.14, 1997 31.71, 1998 32.27.
RATES = (
    ("1993-01-01", 34305),
    ("1994-01-01", 34746),
    ("1995-01-01", 37665),
    ("1996-01-01", 36846),
    ("1997-01-01", 31536),
    ("1998-01-01", 30989),
)


def seed(apps, schema_editor):
    FxRate = apps.get_model("monitoring", "FxRate")
    for valid_from, micro in RATES:
        FxRate.objects.get_or_create(
            currency="CZK", valid_from=valid_from, defaults={"usd_per_unit_micro": micro, "source": SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_scenarios_ctr_sar_314a")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
