-- tmkit store, schema version 1 (SQLite).
-- One row per translation unit, one per variant; the columns carry what is
-- searched and filtered; `tmx` keeps the whole <tu> when the columns cannot
-- hold it losslessly (attributes beyond the common ones, inline codes, ...).
-- Sized to stay under twice the TMX it was imported from: a variant's id is
-- its unit's id times 256 plus its place, so variants lie in unit order in
-- their own b-tree and need neither a unit column nor an index on it.

CREATE TABLE tmkit_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The files units came from, with their TMX header (a whole empty TMX
-- document), so an export of one file's units gives its header back.
CREATE TABLE origins (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    header TEXT
);

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    tuid          TEXT,
    source_lang   TEXT NOT NULL,
    creation_date TEXT,
    creation_user TEXT,
    change_date   TEXT,
    change_user   TEXT,
    usage_count   INTEGER NOT NULL DEFAULT 0,
    last_used     TEXT,
    origin_id     INTEGER REFERENCES origins(id),
    origin_pos    INTEGER,
    project       TEXT,
    client        TEXT,
    domain        TEXT,
    note          TEXT,
    -- FNV-1a hashes (as signed 64-bit): the source variant with the set of
    -- languages (same source, other target), every variant (exact
    -- duplicates), and the source of the previous and next unit of the
    -- origin file (101% context matches).
    content_hash  INTEGER NOT NULL,
    source_hash   INTEGER NOT NULL,
    context_prev  INTEGER,
    context_next  INTEGER,
    tmx           TEXT
);
-- Exact duplicates share their source: one index serves both lookups.
CREATE INDEX units_source ON units(source_hash, content_hash);

-- id = unit id * 256 + place of the variant in the unit.
CREATE TABLE variants (
    id        INTEGER PRIMARY KEY,
    lang      TEXT NOT NULL,
    text      TEXT NOT NULL,
    codes     INTEGER NOT NULL DEFAULT 0,
    -- 32 bits of the FNV-1a of the comparison key (NFKC + case folding):
    -- exact lookup (candidates are compared by text).
    text_hash INTEGER NOT NULL
);
CREATE INDEX variants_hash ON variants(text_hash);

-- TMX <prop> elements (kind 'prop') and free key/value fields (kind 'field').
CREATE TABLE fields (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL
);
CREATE INDEX fields_unit ON fields(unit_id);
CREATE INDEX fields_name ON fields(name, value);

-- A unit's variants and fields go with it.
CREATE TRIGGER units_delete AFTER DELETE ON units BEGIN
    DELETE FROM variants WHERE id BETWEEN old.id * 256 AND old.id * 256 + 255;
    DELETE FROM fields WHERE unit_id = old.id;
END;

-- Concordance: substring search through trigrams, case- and accent-insensitive.
-- detail=none keeps it small; candidates are verified against the text.
CREATE VIRTUAL TABLE variants_fts USING fts5(
    text, content='variants', content_rowid='id',
    tokenize='trigram case_sensitive 0 remove_diacritics 1', detail='none', columnsize=0
);
CREATE TRIGGER variants_fts_insert AFTER INSERT ON variants BEGIN
    INSERT INTO variants_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER variants_fts_delete AFTER DELETE ON variants BEGIN
    INSERT INTO variants_fts(variants_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER variants_fts_update AFTER UPDATE OF text ON variants BEGIN
    INSERT INTO variants_fts(variants_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO variants_fts(rowid, text) VALUES (new.id, new.text);
END;
