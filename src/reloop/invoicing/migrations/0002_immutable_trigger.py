"""The database refuses to change an issued invoice (docs/adr/0021-invoices.md).

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL only: Django's test flush on SQLite
empties tables with DELETE, whereas PostgreSQL's flush uses TRUNCATE, which row triggers do not see. Deletion is
also refused by the model and its queryset, and every foreign key to an invoice's order rows is PROTECT.
"""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER invoicing_invoice_no_update BEFORE UPDATE ON invoicing_invoice "
    "BEGIN SELECT RAISE(ABORT, 'invoice_immutable: an issued invoice cannot change'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS invoicing_invoice_no_update;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION invoicing_invoice_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = 'invoice_immutable: an issued invoice cannot change (' || TG_OP || ')';
    END;
    $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER invoicing_invoice_no_change BEFORE UPDATE OR DELETE ON invoicing_invoice "
    "FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_refuse_change();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS invoicing_invoice_no_change ON invoicing_invoice;",
    "DROP FUNCTION IF EXISTS invoicing_invoice_refuse_change();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
