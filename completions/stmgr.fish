# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_stmgr_global_optspecs
    string join \n config= data-dir= server= o/output= no-headers q/quiet v/verbose token= ca-cert= client-cert= client-key= api-key= timeout= h/help V/version
end

function __fish_stmgr_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_stmgr_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_stmgr_using_subcommand
    set -l cmd (__fish_stmgr_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c stmgr -n "__fish_stmgr_needs_command" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_needs_command" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_needs_command" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_needs_command" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_needs_command" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_needs_command" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_needs_command" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_needs_command" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_needs_command" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_needs_command" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_needs_command" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_needs_command" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_needs_command" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_needs_command" -s V -l version -d 'Print version'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "server" -d 'Run the state server'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "put" -d 'Create or replace an object'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "get" -d 'Read an object'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "rm" -d 'Delete objects'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "ls" -d 'List the objects of a namespace'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "query" -d 'Find objects by tags and body values'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "watch" -d 'Follow the changes of a namespace'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "status" -d 'Show the server\'s health and storage'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "checkpoint" -d 'Named checkpoints of an object: create, list, restore, prune'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "graph" -d 'Workflow graph templates: upload, validate, list, show, delete, trigger'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "node" -d 'Workflow nodes registered by runtimes'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "run" -d 'Workflow runs: list, show, cancel'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "state" -d 'Workflow states: retry one by hand'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "bench" -d 'Load a running server and report throughput and latency'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "snapshot" -d 'Take a snapshot of the data directory, or list snapshots'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "trim-wal" -d 'Delete WAL segments already covered by a verified snapshot'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "restore" -d 'Restore the data directory to a point in time (server stopped)'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "admin" -d 'Inspect and repair the data directory'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "token" -d 'Mint and inspect capability tokens (offline, with the configured keys)'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "keys" -d 'Make signing keys for capability tokens'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -f -a "start" -d 'Start the server on the data directory (embedded engine; no other service needed)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and not __fish_seen_subcommand_from start help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l listen -d 'Address to listen on [default: 127.0.0.1:8080; HOST and PORT are read too]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l max-body-bytes -d 'Largest request body in bytes (413 above it)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l drain-timeout -d 'How long in-flight requests may take to finish on shutdown' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l heartbeat -d 'Interval of heartbeat comments on watch streams' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l watch-write-interval -d 'Shortest time between two writes of a busy watch stream (1ms to 1s) [default: 22µs per open stream divided by the cores, within 2-50ms]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l snapshot-every-mib -d 'Take a snapshot after this many MiB of WAL (0: not by size)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l snapshot-every -d 'Take a snapshot this long after the last one if anything changed (e.g. 10m)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l log-format -d 'Log format on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l metrics-listen -d 'Also serve /metrics and /health on this address (e.g. 127.0.0.1:9090)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l snapshot-keep -d 'Snapshots to keep; WAL segments the oldest kept one covers are trimmed (0: no automatic snapshots at all)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l tls-cert -d 'Serve HTTPS with this PEM certificate chain (with --tls-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l tls-key -d 'PEM private key of --tls-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l tls-client-ca -d 'Require client certificates signed by these PEM CA certificates (mutual TLS)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l ns-max-qps -d 'Requests per second per namespace, all clients together (429 with Retry-After above it)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l queued-timeout -d 'How long a workflow state may stay QUEUED (claimed by a runtime that never reports) before it times out and the graph\'s retry policy applies; a node template\'s `timeout_seconds` overrides it (0: never)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l run-retention -d 'Remove finished workflow runs (and their states) this long after their last change' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l token-leeway -d 'Clock skew allowed when checking a token\'s exp and nbf' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l header-timeout -d 'Time a client has to send a request\'s header once it started it (then 408 and close), and to finish a TLS handshake' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l idle-timeout -d 'Time a keep-alive connection may stay idle between requests before it is closed' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l body-timeout -d 'Time a request body may stop arriving before the request is answered 408 and the connection closed (watch streams and other long answers are not cut)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l max-connections -d 'Most client connections open at once; above it a connection is answered 503 and closed [default: the open-files limit minus a reserve of a quarter of it, 32 to 512]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l health-format -d 'What a plain GET /health answers when healthy: `ok` (text, AgentState\'s form) or the JSON document with "message": "OK" (json, Exosphere\'s form); ?format= and Accept: application/json still choose per request' -r -f -a "text\t'`ok`'
json\t'The JSON document'"
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l insecure -d 'Listen on a non-loopback address even though no token key or API key is configured (anyone who reaches the port can read and write everything)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l api-key-grants-v1 -d 'Let the API key (x-api-key) use the whole v1 API too, not only the workflow API'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l guard-metrics -d 'Require a token with the admin verb for /metrics'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start the server on the data directory (embedded engine; no other service needed)'
complete -c stmgr -n "__fish_stmgr_using_subcommand server; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -s t -l type -d 'Type name' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -s b -l body -d 'JSON body: inline, @FILE, or - for stdin' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l tag -d 'A tag (repeatable)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l ttl -d 'Time to live (e.g. 90s, 1h)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l parent -d 'Parent id (repeatable)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l if-match -d 'Write only if the object is at this commit_seq (0: only if it does not exist)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l at-seq -d 'The version current at this commit_seq' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l at -d 'The version current at this time (RFC 3339)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l prefix -d 'Only ids starting with this' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l limit -d 'At most this many (all pages when absent)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l after -d 'Start after this id' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l tag -d 'Tag that must match (repeatable; all must match)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l where -d 'Body field that must equal a JSON value, e.g. `$.status="done"` (repeatable)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l limit -d 'Page size' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l cursor -d 'Cursor from a previous page' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand query" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l from -d 'Start after this commit_seq [default: only changes from now on]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l prefix -d 'Only ids starting with this' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l count -d 'Stop after this many changes' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -f -a "create" -d 'Keep a copy of the object\'s current version under a name'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -f -a "list" -d 'List an object\'s checkpoints, newest first'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -f -a "restore" -d 'Write a checkpoint back as the object\'s current version (a new commit)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -f -a "prune" -d 'Delete all but the newest N checkpoints of an object'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and not __fish_seen_subcommand_from create list restore prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l metadata -d 'JSON metadata to keep with it' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l keep-last -d 'How many of the newest checkpoints to keep' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from help" -f -a "create" -d 'Keep a copy of the object\'s current version under a name'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from help" -f -a "list" -d 'List an object\'s checkpoints, newest first'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Write a checkpoint back as the object\'s current version (a new commit)'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Delete all but the newest N checkpoints of an object'
complete -c stmgr -n "__fish_stmgr_using_subcommand checkpoint; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -f -a "upload" -d 'Check a graph file, upload it, and show how the server judged it'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -f -a "validate" -d 'Check a graph file offline: syntax, keys and structure (no server)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -f -a "list" -d 'List the graph templates of a namespace with their validation status'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -f -a "show" -d 'Show a graph template: status, errors, policy, store keys, triggers and its nodes'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -f -a "delete" -d 'Delete a graph template (its runs stay readable)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -f -a "trigger" -d 'Start a run of a VALID graph and print its run id'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and not __fish_seen_subcommand_from upload validate list show delete trigger help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l name -d 'Graph name [default: the file\'s `name`]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l ns -d 'Workflow namespace, also of the nodes without one [default: the file\'s `namespace`]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l wait-timeout -d 'How long --wait waits for VALID or INVALID' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l wait -d 'Wait until the server has checked the graph against the registered nodes'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from upload" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l ns -d 'Namespace of the nodes without one [default: the file\'s `namespace`]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l input -d 'Override an input of the root node (repeatable)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l store -d 'Set a key of the run\'s store (repeatable; required keys must be given unless defaulted)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l start-delay -d 'Do not hand out the root state before this delay (e.g. 5s, 10m)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from trigger" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from help" -f -a "upload" -d 'Check a graph file, upload it, and show how the server judged it'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check a graph file offline: syntax, keys and structure (no server)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the graph templates of a namespace with their validation status'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a graph template: status, errors, policy, store keys, triggers and its nodes'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a graph template (its runs stay readable)'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from help" -f -a "trigger" -d 'Start a run of a VALID graph and print its run id'
complete -c stmgr -n "__fish_stmgr_using_subcommand graph; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List the registered nodes of a namespace: runtime, inputs, outputs, secrets'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the registered nodes of a namespace: runtime, inputs, outputs, secrets'
complete -c stmgr -n "__fish_stmgr_using_subcommand node; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -f -a "list" -d 'List runs, newest first, with their status and state counters'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -f -a "show" -d 'Show the states of a run as a table, or as a tree of parents and children (--tree)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -f -a "cancel" -d 'Cancel a run: its pending states become CANCELLED'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and not __fish_seen_subcommand_from list show cancel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l graph -d 'Only runs of this graph' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l status -d 'Only runs with this status' -r -f -a "pending\t'Some state is still pending'
success\t'Everything finished well'
failed\t'Something failed'
cancelled\t'Cancelled'"
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l limit -d 'At most this many runs (0: all)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l state -d 'Show one state of the run in full: inputs, outputs, error, parents' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l tree -d 'Print the states as a tree: each state under the state that created it'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "list" -d 'List runs, newest first, with their status and state counters'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the states of a run as a table, or as a tree of parents and children (--tree)'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a run: its pending states become CANCELLED'
complete -c stmgr -n "__fish_stmgr_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -f -a "retry" -d 'Retry a finished state (errored, timed out, ...) as a new CREATED state'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and not __fish_seen_subcommand_from retry help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l ns -d 'Workflow namespace' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l fanout-id -d 'Deduplicates the retry: the same id twice is refused [default: a new ULID]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Retry a finished state (errored, timed out, ...) as a new CREATED state'
complete -c stmgr -n "__fish_stmgr_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l op -d 'The load' -r -f -a "put\t'Upserts of distinct ids'
get\t'Reads of existing objects'
mixed\t'Half reads, half writes'
watch\t'Watchers following paced writers; measures send-to-delivery lag (p50..max) and emit lag (commit to delivery: emit_p50_ms, emit_p99_ms)'
memory\t'Fills the server with distinct objects (`--count`, default 1,000,000), then reads its resident memory from `/metrics`'"
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -s c -l connections -d 'Concurrent connections (watchers for --op watch)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -s d -l duration -d 'How long to run' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l count -d 'Stop after this many requests instead (objects to write for --op memory, default 1000000)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l value-size -d 'Body size in bytes' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l ns -d 'Namespace to write into' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l rate -d 'Writes per second for --op watch' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List the snapshots of the data directory (works while a server runs)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the snapshots of the data directory (works while a server runs)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l snapshot-id -d 'The snapshot whose coverage decides what goes (see `stmgr snapshot list`)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l dry-run -d 'Show what would be removed without removing anything'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l snapshot-id -d 'The snapshot to start from (see `stmgr snapshot list`)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l to-seq -d 'Replay the WAL up to and including this commit_seq [default: the end of the log]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l to-time -d 'Replay every commit made at or before this time (RFC 3339, e.g. 2026-11-23T10:00:00Z)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -f -a "dump" -d 'Print the live objects (read-only; works while a server holds the directory)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -f -a "verify" -d 'Check every WAL frame and snapshot; exit 1 on corruption'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and not __fish_seen_subcommand_from dump verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l ns -d 'Only this namespace (e.g. agent://demo)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l at-seq -d 'The state at this commit_seq instead of the latest (reads the data directory)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l repair -d 'Cut damaged data away (server stopped): a damaged segment is truncated at the first bad frame and the segments after it moved aside; damaged snapshots are moved aside. Every cut byte is kept under aside/repair-<time>/'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "dump" -d 'Print the live objects (read-only; works while a server holds the directory)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check every WAL frame and snapshot; exit 1 on corruption'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -f -a "issue" -d 'Mint a token signed with the configured active (or next) key'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -f -a "inspect" -d 'Show a token\'s claims and whether it verifies against the configured keys'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and not __fish_seen_subcommand_from issue inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l ns -d 'Namespace granted: an exact name (agent://demo) or a prefix ending in * (agent://team/*); * alone grants every namespace (repeatable)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l verbs -d 'Verbs granted, comma-separated' -r -f -a "put\t'Create or replace objects'
get\t'Read objects'
delete\t'Delete objects'
query\t'Query objects'
watch\t'Follow changes (SSE watch)'
lease\t'Acquire, renew and release leases'
admin\t'Admin routes (snapshots, dump, ...)'"
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l ttl -d 'Lifetime of the token (e.g. 15m, 24h, 30days)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l region -d 'Pin the token to servers of this REGION' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l max-bytes -d 'Largest request body allowed (e.g. 65536, 1MiB)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l max-qps -d 'Requests per second allowed (a positive number, e.g. 10 or 0.5)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l jti -d 'Token id (jti) [default: a new ULID]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l kid -d 'Which configured key signs the token' -r -f -a "active\t'The active key (`CAP_KEY_ACTIVE`)'
next\t'The next key (`CAP_KEY_NEXT`), staged for rotation'"
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from issue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "issue" -d 'Mint a token signed with the configured active (or next) key'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show a token\'s claims and whether it verifies against the configured keys'
complete -c stmgr -n "__fish_stmgr_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -f -a "generate" -d 'Print a new random key, as base64:..., for CAP_KEY_ACTIVE or CAP_KEY_NEXT'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and not __fish_seen_subcommand_from generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l bytes -d 'Number of random bytes (16 to 1024)' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l data-dir -d 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -s o -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l token -d 'Capability token sent to the server as `Authorization: Bearer`' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l ca-cert -d 'Trust the server certificates these PEM CA certificates sign (instead of the system\'s)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l client-cert -d 'PEM client certificate for mutual TLS (with --client-key)' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l api-key -d 'API key sent as `x-api-key` to the workflow API (v0): the server\'s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l timeout -d 'Longest wait for a server\'s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -l no-headers -d 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "generate" -d 'Print a new random key, as base64:..., for CAP_KEY_ACTIVE or CAP_KEY_NEXT'
complete -c stmgr -n "__fish_stmgr_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "server" -d 'Run the state server'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "put" -d 'Create or replace an object'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "get" -d 'Read an object'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "rm" -d 'Delete objects'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "ls" -d 'List the objects of a namespace'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "query" -d 'Find objects by tags and body values'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "watch" -d 'Follow the changes of a namespace'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "status" -d 'Show the server\'s health and storage'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "checkpoint" -d 'Named checkpoints of an object: create, list, restore, prune'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "graph" -d 'Workflow graph templates: upload, validate, list, show, delete, trigger'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "node" -d 'Workflow nodes registered by runtimes'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "run" -d 'Workflow runs: list, show, cancel'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "state" -d 'Workflow states: retry one by hand'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "bench" -d 'Load a running server and report throughput and latency'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "snapshot" -d 'Take a snapshot of the data directory, or list snapshots'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "trim-wal" -d 'Delete WAL segments already covered by a verified snapshot'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "restore" -d 'Restore the data directory to a point in time (server stopped)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "admin" -d 'Inspect and repair the data directory'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "token" -d 'Mint and inspect capability tokens (offline, with the configured keys)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "keys" -d 'Make signing keys for capability tokens'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from server put get rm ls query watch status checkpoint graph node run state bench snapshot trim-wal restore admin token keys help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from server" -f -a "start" -d 'Start the server on the data directory (embedded engine; no other service needed)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from checkpoint" -f -a "create" -d 'Keep a copy of the object\'s current version under a name'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from checkpoint" -f -a "list" -d 'List an object\'s checkpoints, newest first'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from checkpoint" -f -a "restore" -d 'Write a checkpoint back as the object\'s current version (a new commit)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from checkpoint" -f -a "prune" -d 'Delete all but the newest N checkpoints of an object'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from graph" -f -a "upload" -d 'Check a graph file, upload it, and show how the server judged it'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from graph" -f -a "validate" -d 'Check a graph file offline: syntax, keys and structure (no server)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from graph" -f -a "list" -d 'List the graph templates of a namespace with their validation status'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from graph" -f -a "show" -d 'Show a graph template: status, errors, policy, store keys, triggers and its nodes'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from graph" -f -a "delete" -d 'Delete a graph template (its runs stay readable)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from graph" -f -a "trigger" -d 'Start a run of a VALID graph and print its run id'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from node" -f -a "list" -d 'List the registered nodes of a namespace: runtime, inputs, outputs, secrets'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "list" -d 'List runs, newest first, with their status and state counters'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "show" -d 'Show the states of a run as a table, or as a tree of parents and children (--tree)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "cancel" -d 'Cancel a run: its pending states become CANCELLED'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "retry" -d 'Retry a finished state (errored, timed out, ...) as a new CREATED state'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from snapshot" -f -a "list" -d 'List the snapshots of the data directory (works while a server runs)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "dump" -d 'Print the live objects (read-only; works while a server holds the directory)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "verify" -d 'Check every WAL frame and snapshot; exit 1 on corruption'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "issue" -d 'Mint a token signed with the configured active (or next) key'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "inspect" -d 'Show a token\'s claims and whether it verifies against the configured keys'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "generate" -d 'Print a new random key, as base64:..., for CAP_KEY_ACTIVE or CAP_KEY_NEXT'
