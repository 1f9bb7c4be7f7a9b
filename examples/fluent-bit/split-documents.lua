-- Splits the wasm filter's multi-document records, for Fluent Bit's `lua` filter placed after
-- the `wasm` filter:
--
--   [FILTER]
--       Name   lua
--       Match  kube.audit
--       Script split-documents.lua
--       Call   split_documents
--
-- A record {"documents": [doc, ...]} (what the module returns for a record that yields several
-- documents, such as a webhook EventList) is replaced by one record per document, each with
-- the original record's timestamp; {"documents": []} is dropped; any other record (a single
-- document, an error document, anything else) passes unchanged. Only a record whose one and
-- only key is `documents`, holding an array of objects, is split, so an ECS document that
-- happens to have a `documents` field is never taken apart.
--
-- Fluent Bit's lua filter: returning code 2 with an array of tables emits one record per table
-- (the timestamp kept); -1 drops the record; 0 keeps it as it was.
-- Note: a record that passes through Lua comes back with its keys in Lua's hash order (JSON
-- key order carries no meaning for Elasticsearch/OpenSearch), strings and numbers unchanged.

local ARRAY = 1 -- the metatable type Fluent Bit gives a table made from a msgpack array

local function is_array(t)
    local mt = getmetatable(t)
    if mt and mt.type ~= nil then return mt.type == ARRAY end
    return t[1] ~= nil or next(t) == nil
end

function split_documents(tag, timestamp, record)
    local docs = record.documents
    if type(docs) ~= "table" or next(record, next(record)) ~= nil or not is_array(docs) then
        return 0, timestamp, record
    end
    local n = #docs
    if n == 0 then
        if next(docs) == nil then return -1, timestamp, record end
        return 0, timestamp, record
    end
    for i = 1, n do
        if type(docs[i]) ~= "table" or is_array(docs[i]) then
            return 0, timestamp, record
        end
    end
    return 2, timestamp, docs
end
