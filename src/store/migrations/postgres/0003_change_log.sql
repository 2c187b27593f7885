-- Schema version 3 (PostgreSQL).
-- Nothing reads variants(text_hash) through an index: it only cost 2M
-- random-key entries per million units in size and in every insert.
DROP INDEX IF EXISTS variants_hash;

-- Which units each generation touched (added, edited or deleted), as id
-- ranges, so a long-lived client-side fuzzy index catches up with other
-- clients' writes by reading the units of the ranges instead of rebuilding.
-- Generations before `changes_from` are not logged.
CREATE TABLE tmkit_changes (
    generation BIGINT NOT NULL,
    first_id   BIGINT NOT NULL,
    last_id    BIGINT NOT NULL
);
CREATE INDEX tmkit_changes_generation ON tmkit_changes(generation);
INSERT INTO tmkit_meta(key, value)
    SELECT 'changes_from', value FROM tmkit_meta WHERE key = 'generation';

-- Concordance: a LIKE pattern's selectivity is estimated from the column's
-- histogram, so a finer one tells a frequent text (read variants in id order
-- until enough match) from a rare one (the trigram index).
ALTER TABLE variants ALTER COLUMN folded SET STATISTICS 1000;
