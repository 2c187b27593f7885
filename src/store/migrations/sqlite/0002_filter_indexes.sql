-- Schema version 2: indexes for the filters export, delete and stats use
-- (partial: most units have no project or tuid, and cost nothing then).
CREATE INDEX units_change_date ON units(change_date) WHERE change_date IS NOT NULL;
CREATE INDEX units_project ON units(project) WHERE project IS NOT NULL;
CREATE INDEX units_tuid ON units(tuid) WHERE tuid IS NOT NULL;
