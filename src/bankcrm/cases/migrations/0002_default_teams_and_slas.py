"""Default teams, routing rules and internal SLA policies (the bank changes them in the database)."""

from django.db import migrations

TEAMS = (
    ("complaints", "Complaints"),
    ("disputes", "Payment disputes (Reg E / Reg Z)"),
    ("regulatory", "Regulatory complaints (CFPB portal)"),
    ("fair-treatment", "Fair treatment and vulnerable customers"),
    ("service", "Customer service"),
    ("bsa-aml", "BSA/AML investigations"),
)
# (priority, kind, product_class, signal, channel, team)
RULES = (
    (10, "complaint", "", "cfpb_portal", "", "regulatory"),
    (20, "", "", "fair_lending", "", "fair-treatment"),
    (21, "", "", "elder_abuse", "", "fair-treatment"),
    (30, "", "", "reg_e_error", "", "disputes"),
    (31, "", "", "reg_z_billing_error", "", "disputes"),
    (40, "dispute", "", "", "", "disputes"),
    (50, "complaint", "", "", "", "complaints"),
    (60, "service_request", "", "", "", "service"),
    (70, "aml_investigation", "", "", "", "bsa-aml"),
)
SLAS = (
    ("complaint", "sla_acknowledgement", "Acknowledge the complaint", 2, True, 1),
    ("complaint", "sla_resolution", "Resolve the complaint (internal target)", 15, True, 3),
    ("dispute", "sla_acknowledgement", "Acknowledge the dispute", 2, True, 1),
    ("dispute", "sla_resolution", "Resolve the dispute (internal target)", 20, True, 3),
    ("service_request", "sla_resolution", "Complete the service request", 5, True, 1),
    ("aml_investigation", "sla_resolution", "Decide the alert investigation", 30, False, 5),
)


def seed(apps, schema_editor):
    Team = apps.get_model("cases", "Team")
    RoutingRule = apps.get_model("cases", "RoutingRule")
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    teams = {}
    for code, name in TEAMS:
        teams[code], _ = Team.objects.get_or_create(code=code, defaults={"name": name})
    if not RoutingRule.objects.exists():
        for priority, kind, product_class, signal, channel, team in RULES:
            RoutingRule.objects.create(
                priority=priority,
                kind=kind,
                product_class=product_class,
                signal=signal,
                channel=channel,
                team=teams[team],
            )
    for kind, key, label, days, business, warn in SLAS:
        SlaPolicy.objects.get_or_create(
            kind=kind, key=key, defaults={"label": label, "days": days, "business_days": business, "warn_days": warn}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
