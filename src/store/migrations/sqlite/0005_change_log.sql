-- Schema version 5: a change log, and the concordance index as derived data
-- with a high-water mark.

-- Which units each generation touched (added, edited or deleted), as id
-- ranges, so a long-lived fuzzy index (`tmkit serve`) catches up with other
-- processes' writes by reading those units instead of rebuilding.
-- Generations before `changes_from` are not logged.
CREATE TABLE tmkit_changes (
    generation INTEGER NOT NULL,
    first_id   INTEGER NOT NULL,
    last_id    INTEGER NOT NULL
);
CREATE INDEX tmkit_changes_generation ON tmkit_changes(generation);
INSERT INTO tmkit_meta(key, value)
    SELECT 'changes_from', value FROM tmkit_meta WHERE key = 'generation';

-- The concordance index holds exactly the units with ids up to
-- `concordance_through`. An import into an empty store builds it on another
-- thread and moves it in at the end; units committed meanwhile (all of them
-- after a crash) are above the mark: a search scans them, and the next
-- ordinary write indexes them and raises the mark (`tm check` leaves them).
INSERT INTO tmkit_meta(key, value)
    SELECT 'concordance_through', coalesce(max(id), 0) FROM units;
DROP TRIGGER IF EXISTS units_fts_delete;
CREATE TRIGGER units_fts_delete BEFORE DELETE ON units
WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM tmkit_meta WHERE key = 'concordance_through')
BEGIN
    INSERT INTO units_fts(units_fts, rowid, text)
        SELECT 'delete', old.id, text FROM unit_texts WHERE id = old.id;
END;
