-- Schema version 2: indexes for the filters export, delete and stats use.
CREATE INDEX units_change_date ON units(change_date);
CREATE INDEX units_project ON units(project);
CREATE INDEX units_tuid ON units(tuid);
