# The baseline mapping as a jq program: what users write today (no user-agent parsing).
# Input: NDJSON records with the audit event in `message`. Used by `host-test bench`.
def present: . != null and . != "" and . != [] and . != {};
def clean: if type == "object" then with_entries(.value |= clean | select(.value | present)) else . end;
def ts: if type == "string" then
    (capture("^(?<s>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\\.(?<f>[0-9]+))?Z$")
     | .s + "." + ((.f // "") + "000000")[0:6] + "Z") // null
  else null end;
def ip: if type == "string" and test("^([0-9]{1,3}\\.){3}[0-9]{1,3}$|^[0-9a-fA-F:]+$") then . else null end;
(.message | fromjson) as $e
| ($e.sourceIPs[0]? | ip) as $ip
| (if ($e.impersonatedUser.username // "") != "" then $e.impersonatedUser.username else $e.user.username end) as $user
| ($e.annotations // {}) as $a
| . * ({
    event: {code: $e.auditID, action: $e.verb, start: (($e.requestReceivedTimestamp // $e.timestamp) | ts),
            outcome: $a["authorization.k8s.io/decision"]},
    action: {outcome: $a["authorization.k8s.io/decision"]},
    http: {response: {status_code: $e.responseStatus.code}},
    url: {path: $e.requestURI},
    source: {ip: $ip, address: $ip},
    user: {id: $e.user.uid, name: $user,
           roles: (if ($e.impersonatedUser.groups // []) != [] then $e.impersonatedUser.groups else $e.user.groups end)},
    user_agent: {original: $e.userAgent},
    kubernetes: {namespace: $e.objectRef.namespace, resource: $e.objectRef.resource,
                 subresource: $e.objectRef.subresource,
                 object: {name: ($e.objectRef.name // $e.responseObject.metadata.name)},
                 rbacreason: $a["authorization.k8s.io/reason"]},
    related: {ip: (if $ip then [$ip] else null end), user: (if $user then [$user] else null end)}
  } | clean)
