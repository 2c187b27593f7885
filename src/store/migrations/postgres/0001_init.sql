-- tmkit store, schema version 1 (PostgreSQL): the SQLite schema in
-- PostgreSQL types. Concordance uses pg_trgm over `folded` (the text with
-- accents removed and case folded by tmkit), so LIKE '%…%' is served by a
-- GIN trigram index, and shorter patterns by a scan.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tmkit_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE origins (
    id     BIGSERIAL PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    header TEXT
);

CREATE TABLE units (
    id            BIGSERIAL PRIMARY KEY,
    tuid          TEXT,
    source_lang   TEXT NOT NULL,
    creation_date TEXT,
    creation_user TEXT,
    change_date   TEXT,
    change_user   TEXT,
    usage_count   BIGINT NOT NULL DEFAULT 0,
    last_used     TEXT,
    origin_id     BIGINT REFERENCES origins(id),
    origin_pos    BIGINT,
    project       TEXT,
    client        TEXT,
    domain        TEXT,
    note          TEXT,
    content_hash  BIGINT NOT NULL,
    source_hash   BIGINT NOT NULL,
    context_prev  BIGINT,
    context_next  BIGINT,
    tmx           TEXT
);
CREATE INDEX units_content ON units(content_hash);
CREATE INDEX units_source ON units(source_hash);

CREATE TABLE variants (
    id        BIGSERIAL PRIMARY KEY,
    unit_id   BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    lang      TEXT NOT NULL,
    text      TEXT NOT NULL,
    codes     INTEGER NOT NULL DEFAULT 0,
    text_hash BIGINT NOT NULL,
    folded    TEXT NOT NULL
);
CREATE INDEX variants_unit ON variants(unit_id);
CREATE INDEX variants_hash ON variants(text_hash);
CREATE INDEX variants_folded ON variants USING gin (folded gin_trgm_ops);

CREATE TABLE fields (
    unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL
);
CREATE INDEX fields_unit ON fields(unit_id);
CREATE INDEX fields_name ON fields(name, value);
