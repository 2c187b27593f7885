-- Schema version 3: no index on variants(text_hash). Nothing looks variants
-- up by it (exact lookups go through the fuzzy index, duplicates through
-- units_source), and on a 1M-unit store it was 2M random-key entries: size
-- and a b-tree insert per variant at import. The column stays.
DROP INDEX IF EXISTS variants_hash;
