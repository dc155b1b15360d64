"""The engine-specific index on SearchDocument, chosen by the database vendor.

SQLite: an FTS5 table over the documents (external content), kept in step by triggers, accents folded by the
``unicode61`` tokenizer. PostgreSQL: the ``pg_trgm`` extension, a GIN full-text index (title weighted A, keywords D)
and a GIN trigram index on the vocabulary for typo correction.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, keywords, content='search_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3 4')""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, keywords) VALUES (new.id, new.title, new.keywords); END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, keywords) VALUES ('delete', old.id, old.title, old.keywords);
        END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, keywords) VALUES ('delete', old.id, old.title, old.keywords);
        INSERT INTO search_fts(rowid, title, keywords) VALUES (new.id, new.title, new.keywords); END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE INDEX search_document_fts ON search_searchdocument USING gin (
        (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', keywords), 'D')))""",
    "CREATE INDEX search_document_title_trgm ON search_searchdocument USING gin (title gin_trgm_ops)",
    "CREATE INDEX search_term_trgm ON search_searchterm USING gin (term gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS search_document_title_trgm",
    "DROP INDEX IF EXISTS search_document_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
