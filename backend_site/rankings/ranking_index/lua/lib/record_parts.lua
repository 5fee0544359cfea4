-- record_parts(record): a names-hash record's name and its metadata ('' for none), split at
-- the NUL layout.entry_record puts between them (searched after the version and seq, which
-- may hold any byte).
local function record_parts(record)
  local cut = string.find(record, '\0', RECORD_HEAD + 1, true)
  if not cut then return string.sub(record, RECORD_HEAD + 1), '' end
  return string.sub(record, RECORD_HEAD + 1, cut - 1), string.sub(record, cut + 1)
end
