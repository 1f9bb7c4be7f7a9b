-- The baseline mapping as a Fluent Bit user would write it by hand in the `lua` filter: the
-- peer of the wasm module in scripts/fluent-bit/bench.sh (as bench/baseline.jq is the peer of
-- the component in host-test bench).
--
--   [FILTER]
--       Name   lua
--       Match  kube.audit
--       Script bench/fluent-bit/baseline.lua
--       Call   ecs_baseline
--
-- Input: the record as tail's JSON parser makes it, i.e. the bare audit event's fields as a
-- Lua table (a `message`-wrapped record is not unwrapped: there is no JSON parser in Fluent
-- Bit's LuaJIT). Output: {"message": <the event as JSON text>, ECS fields...}, the shape the
-- module gives for a bare event (BASELINE_LUA_NO_MESSAGE=1 in Fluent Bit's environment leaves
-- `message` out, to see what writing it costs).
-- On 200 events of the bench mix (scripts/fluent-bit/bench.sh), its documents equal the
-- module's field for field, but for the three user_agent fields it does not produce.
--
-- Where this differs from the real mapping (docs/profiles.md, "baseline"), on purpose, as a
-- hand-written filter would:
--   * no user agent parsing: user_agent.original only, no user_agent.name/os.name/device.name;
--   * timestamps are not normalised: only the "...:SS[.fraction]Z" form is read (the fraction
--     padded or cut to six digits); an offset such as +02:00 leaves event.start absent instead
--     of being converted to UTC, and an impossible date (hour 25) is kept;
--   * sourceIPs[0] is checked by shape only (four dot-separated groups of 1-3 digits, or hex
--     digits and colons), so 10.0.0.300 passes and a zone-scoped IPv6 address does not;
--   * `message` is re-serialised from the table, not the event's exact text: key order is
--     Lua's hash order, `null` values are gone (Fluent Bit hands Lua no nulls unless
--     enable_flb_null is set), numbers come back through msgpack and Lua (integers stay
--     integers), `/` and non-ASCII characters are written as they are;
--   * no `message`-wrapped, `log` or EventList input, no responseStatus.code given as a
--     string, no error document: a record that is not an event passes through unchanged;
--   * a wrong-typed field is not always left out: a table where a string is expected is
--     skipped, but a number where a string is expected is copied.

local ARRAY = 1 -- the metatable type Fluent Bit gives a table made from a msgpack array

local function present(v)
    if v == nil or v == "" then return false end
    if type(v) == "table" and next(v) == nil then return false end
    if type(v) == "userdata" then return false end -- flb_null
    return true
end

local function str(v)
    if type(v) == "string" or type(v) == "number" then return v end
    return nil
end

local function tbl(v)
    if type(v) == "table" then return v end
    return {}
end

-- Sets t[k] = v when v is present; returns t.
local function put(t, k, v)
    if present(v) then t[k] = v end
    return t
end

-- Adds t to parent[k] when t is not empty.
local function child(parent, k, t)
    if next(t) ~= nil then parent[k] = t end
end

local function timestamp(s)
    if type(s) ~= "string" then return nil end
    local base, frac = s:match("^(%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d)%.(%d+)Z$")
    if not base then
        base = s:match("^(%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d)Z$")
        frac = ""
    end
    if not base then return nil end
    return base .. "." .. (frac .. "000000"):sub(1, 6) .. "Z"
end

local function ip(s)
    if type(s) ~= "string" then return nil end
    if s:match("^%d%d?%d?%.%d%d?%d?%.%d%d?%d?%.%d%d?%d?$") or s:match("^[%x:]+$") then return s end
    return nil
end

-- A small JSON writer for `message` (Fluent Bit's LuaJIT has no JSON library).
local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
                  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
local function escape_char(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
end

local function is_array(t)
    local mt = getmetatable(t)
    if mt and mt.type then return mt.type == ARRAY end
    return t[1] ~= nil
end

-- Appends v's JSON text to the buffer `out` (n is the index of its last piece); returns n.
local function encode_into(v, out, n)
    local tv = type(v)
    if tv == "string" then
        if v:find('[%c"\\]') then v = v:gsub('[%c"\\]', escape_char) end
        out[n + 1] = '"'; out[n + 2] = v; out[n + 3] = '"'
        return n + 3
    elseif tv == "number" then
        if v == math.floor(v) and v > -1e15 and v < 1e15 then
            out[n + 1] = string.format("%d", v)
        else
            out[n + 1] = string.format("%.17g", v)
        end
        return n + 1
    elseif tv == "boolean" then
        out[n + 1] = v and "true" or "false"
        return n + 1
    elseif tv == "table" then
        if is_array(v) then
            n = n + 1; out[n] = "["
            for i = 1, #v do
                if i > 1 then n = n + 1; out[n] = "," end
                n = encode_into(v[i], out, n)
            end
            n = n + 1; out[n] = "]"
        else
            n = n + 1; out[n] = "{"
            local first = true
            for k, item in pairs(v) do
                if not first then n = n + 1; out[n] = "," end
                first = false
                n = encode_into(tostring(k), out, n)
                n = n + 1; out[n] = ":"
                n = encode_into(item, out, n)
            end
            n = n + 1; out[n] = "}"
        end
        return n
    end
    out[n + 1] = "null"
    return n + 1
end

local function encode(v)
    local out = {}
    local n = encode_into(v, out, 0)
    return table.concat(out, "", 1, n)
end

-- BASELINE_LUA_NO_MESSAGE=1 in Fluent Bit's environment leaves `message` out (to measure
-- what writing it costs).
local ENCODE_MESSAGE = os.getenv("BASELINE_LUA_NO_MESSAGE") == nil

function ecs_baseline(tag, timestamp_, record)
    if record.auditID == nil and record.kind ~= "Event" then
        return 0, timestamp_, record
    end
    local user = tbl(record.user)
    local imp = tbl(record.impersonatedUser)
    local ref = tbl(record.objectRef)
    local annotations = tbl(record.annotations)
    local decision = str(annotations["authorization.k8s.io/decision"])

    local name = str(imp.username)
    if not present(name) then name = str(user.username) end
    local roles = imp.groups
    if type(roles) ~= "table" or next(roles) == nil then roles = user.groups end
    if type(roles) ~= "table" then roles = nil end
    local source_ip = ip(type(record.sourceIPs) == "table" and record.sourceIPs[1] or nil)
    local object_name = str(ref.name)
    if not present(object_name) then
        object_name = str(tbl(tbl(record.responseObject).metadata).name)
    end
    local start = record.requestReceivedTimestamp
    if start == nil then start = record.timestamp end

    local doc = {}
    if ENCODE_MESSAGE then doc.message = encode(record) end
    local event = {}
    put(event, "code", str(record.auditID))
    put(event, "action", str(record.verb))
    put(event, "start", timestamp(start))
    put(event, "outcome", decision)
    child(doc, "event", event)
    child(doc, "action", put({}, "outcome", decision))
    local code = tbl(record.responseStatus).code
    if type(code) == "number" then doc.http = { response = { status_code = code } } end
    child(doc, "url", put({}, "path", str(record.requestURI)))
    child(doc, "source", put(put({}, "ip", source_ip), "address", source_ip))
    local u = {}
    put(u, "id", str(user.uid))
    put(u, "name", name)
    put(u, "roles", roles)
    child(doc, "user", u)
    child(doc, "user_agent", put({}, "original", str(record.userAgent)))
    local k = {}
    put(k, "namespace", str(ref.namespace))
    put(k, "resource", str(ref.resource))
    put(k, "subresource", str(ref.subresource))
    child(k, "object", put({}, "name", object_name))
    put(k, "rbacreason", str(annotations["authorization.k8s.io/reason"]))
    child(doc, "kubernetes", k)
    local related = {}
    if present(source_ip) then related.ip = { source_ip } end
    if present(name) then related.user = { name } end
    child(doc, "related", related)
    return 2, timestamp_, doc
end
