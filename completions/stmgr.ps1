
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'stmgr' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'stmgr'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'stmgr' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Run the state server')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Create or replace an object')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Read an object')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete objects')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the objects of a namespace')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Find objects by tags and body values')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow the changes of a namespace')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the server''s health and storage')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Named checkpoints of an object: create, list, restore, prune')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Workflow graph templates: upload, validate, list, show, delete, trigger')
            [CompletionResult]::new('node', 'node', [CompletionResultType]::ParameterValue, 'Workflow nodes registered by runtimes')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Workflow runs: list, show, cancel')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Workflow states: retry one by hand')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load a running server and report throughput and latency')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Take a snapshot of the data directory, or list snapshots')
            [CompletionResult]::new('trim-wal', 'trim-wal', [CompletionResultType]::ParameterValue, 'Delete WAL segments already covered by a verified snapshot')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore the data directory to a point in time (server stopped)')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Inspect and repair the data directory')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Mint and inspect capability tokens (offline, with the configured keys)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Make signing keys for capability tokens')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;server' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the server on the data directory (embedded engine; no other service needed)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;server;start' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on [default: 127.0.0.1:8080; HOST and PORT are read too]')
            [CompletionResult]::new('--max-body-bytes', '--max-body-bytes', [CompletionResultType]::ParameterName, 'Largest request body in bytes (413 above it)')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'How long in-flight requests may take to finish on shutdown')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval of heartbeat comments on watch streams')
            [CompletionResult]::new('--watch-write-interval', '--watch-write-interval', [CompletionResultType]::ParameterName, 'Shortest time between two writes of a busy watch stream (1ms to 1s) [default: 22µs per open stream divided by the cores, within 2-50ms]')
            [CompletionResult]::new('--snapshot-every-mib', '--snapshot-every-mib', [CompletionResultType]::ParameterName, 'Take a snapshot after this many MiB of WAL (0: not by size)')
            [CompletionResult]::new('--snapshot-every', '--snapshot-every', [CompletionResultType]::ParameterName, 'Take a snapshot this long after the last one if anything changed (e.g. 10m)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Also serve /metrics and /health on this address (e.g. 127.0.0.1:9090)')
            [CompletionResult]::new('--snapshot-keep', '--snapshot-keep', [CompletionResultType]::ParameterName, 'Snapshots to keep; WAL segments the oldest kept one covers are trimmed (0: no automatic snapshots at all)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate chain (with --tls-key)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'PEM private key of --tls-cert')
            [CompletionResult]::new('--tls-client-ca', '--tls-client-ca', [CompletionResultType]::ParameterName, 'Require client certificates signed by these PEM CA certificates (mutual TLS)')
            [CompletionResult]::new('--ns-max-qps', '--ns-max-qps', [CompletionResultType]::ParameterName, 'Requests per second per namespace, all clients together (429 with Retry-After above it)')
            [CompletionResult]::new('--queued-timeout', '--queued-timeout', [CompletionResultType]::ParameterName, 'How long a workflow state may stay QUEUED (claimed by a runtime that never reports) before it times out and the graph''s retry policy applies; a node template''s `timeout_seconds` overrides it (0: never)')
            [CompletionResult]::new('--run-retention', '--run-retention', [CompletionResultType]::ParameterName, 'Remove finished workflow runs (and their states) this long after their last change')
            [CompletionResult]::new('--token-leeway', '--token-leeway', [CompletionResultType]::ParameterName, 'Clock skew allowed when checking a token''s exp and nbf')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Time a client has to send a request''s header once it started it (then 408 and close), and to finish a TLS handshake')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Time a keep-alive connection may stay idle between requests before it is closed')
            [CompletionResult]::new('--body-timeout', '--body-timeout', [CompletionResultType]::ParameterName, 'Time a request body may stop arriving before the request is answered 408 and the connection closed (watch streams and other long answers are not cut)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most client connections open at once; above it a connection is answered 503 and closed [default: the open-files limit minus a reserve of a quarter of it, 32 to 512]')
            [CompletionResult]::new('--health-format', '--health-format', [CompletionResultType]::ParameterName, 'What a plain GET /health answers when healthy: `ok` (text, AgentState''s form) or the JSON document with "message": "OK" (json, Exosphere''s form); ?format= and Accept: application/json still choose per request')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Listen on a non-loopback address even though no token key or API key is configured (anyone who reaches the port can read and write everything)')
            [CompletionResult]::new('--api-key-grants-v1', '--api-key-grants-v1', [CompletionResultType]::ParameterName, 'Let the API key (x-api-key) use the whole v1 API too, not only the workflow API')
            [CompletionResult]::new('--guard-metrics', '--guard-metrics', [CompletionResultType]::ParameterName, 'Require a token with the admin verb for /metrics')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;server;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the server on the data directory (embedded engine; no other service needed)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;server;help;start' {
            break
        }
        'stmgr;server;help;help' {
            break
        }
        'stmgr;put' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Type name')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Type name')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'JSON body: inline, @FILE, or - for stdin')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'JSON body: inline, @FILE, or - for stdin')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'A tag (repeatable)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Time to live (e.g. 90s, 1h)')
            [CompletionResult]::new('--parent', '--parent', [CompletionResultType]::ParameterName, 'Parent id (repeatable)')
            [CompletionResult]::new('--if-match', '--if-match', [CompletionResultType]::ParameterName, 'Write only if the object is at this commit_seq (0: only if it does not exist)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;get' {
            [CompletionResult]::new('--at-seq', '--at-seq', [CompletionResultType]::ParameterName, 'The version current at this commit_seq')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'The version current at this time (RFC 3339)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;rm' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;ls' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only ids starting with this')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many (all pages when absent)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Start after this id')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;query' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag that must match (repeatable; all must match)')
            [CompletionResult]::new('--where', '--where', [CompletionResultType]::ParameterName, 'Body field that must equal a JSON value, e.g. `$.status="done"` (repeatable)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Page size')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Cursor from a previous page')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;watch' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start after this commit_seq [default: only changes from now on]')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only ids starting with this')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after this many changes')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;status' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;checkpoint' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Keep a copy of the object''s current version under a name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List an object''s checkpoints, newest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Write a checkpoint back as the object''s current version (a new commit)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete all but the newest N checkpoints of an object')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;checkpoint;create' {
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'JSON metadata to keep with it')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;checkpoint;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;checkpoint;restore' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;checkpoint;prune' {
            [CompletionResult]::new('--keep-last', '--keep-last', [CompletionResultType]::ParameterName, 'How many of the newest checkpoints to keep')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;checkpoint;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Keep a copy of the object''s current version under a name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List an object''s checkpoints, newest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Write a checkpoint back as the object''s current version (a new commit)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete all but the newest N checkpoints of an object')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;checkpoint;help;create' {
            break
        }
        'stmgr;checkpoint;help;list' {
            break
        }
        'stmgr;checkpoint;help;restore' {
            break
        }
        'stmgr;checkpoint;help;prune' {
            break
        }
        'stmgr;checkpoint;help;help' {
            break
        }
        'stmgr;graph' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('upload', 'upload', [CompletionResultType]::ParameterValue, 'Check a graph file, upload it, and show how the server judged it')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a graph file offline: syntax, keys and structure (no server)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the graph templates of a namespace with their validation status')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a graph template: status, errors, policy, store keys, triggers and its nodes')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a graph template (its runs stay readable)')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Start a run of a VALID graph and print its run id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;graph;upload' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Graph name [default: the file''s `name`]')
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace, also of the nodes without one [default: the file''s `namespace`]')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long --wait waits for VALID or INVALID')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the server has checked the graph against the registered nodes')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;graph;validate' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Namespace of the nodes without one [default: the file''s `namespace`]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;graph;list' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;graph;show' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;graph;delete' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;graph;trigger' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Override an input of the root node (repeatable)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Set a key of the run''s store (repeatable; required keys must be given unless defaulted)')
            [CompletionResult]::new('--start-delay', '--start-delay', [CompletionResultType]::ParameterName, 'Do not hand out the root state before this delay (e.g. 5s, 10m)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;graph;help' {
            [CompletionResult]::new('upload', 'upload', [CompletionResultType]::ParameterValue, 'Check a graph file, upload it, and show how the server judged it')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a graph file offline: syntax, keys and structure (no server)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the graph templates of a namespace with their validation status')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a graph template: status, errors, policy, store keys, triggers and its nodes')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a graph template (its runs stay readable)')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Start a run of a VALID graph and print its run id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;graph;help;upload' {
            break
        }
        'stmgr;graph;help;validate' {
            break
        }
        'stmgr;graph;help;list' {
            break
        }
        'stmgr;graph;help;show' {
            break
        }
        'stmgr;graph;help;delete' {
            break
        }
        'stmgr;graph;help;trigger' {
            break
        }
        'stmgr;graph;help;help' {
            break
        }
        'stmgr;node' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the registered nodes of a namespace: runtime, inputs, outputs, secrets')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;node;list' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;node;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the registered nodes of a namespace: runtime, inputs, outputs, secrets')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;node;help;list' {
            break
        }
        'stmgr;node;help;help' {
            break
        }
        'stmgr;run' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first, with their status and state counters')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the states of a run as a table, or as a tree of parents and children (--tree)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: its pending states become CANCELLED')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;run;list' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Only runs of this graph')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only runs with this status')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many runs (0: all)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;run;show' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Show one state of the run in full: inputs, outputs, error, parents')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--tree', '--tree', [CompletionResultType]::ParameterName, 'Print the states as a tree: each state under the state that created it')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;run;cancel' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;run;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first, with their status and state counters')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the states of a run as a table, or as a tree of parents and children (--tree)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: its pending states become CANCELLED')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;run;help;list' {
            break
        }
        'stmgr;run;help;show' {
            break
        }
        'stmgr;run;help;cancel' {
            break
        }
        'stmgr;run;help;help' {
            break
        }
        'stmgr;state' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Retry a finished state (errored, timed out, ...) as a new CREATED state')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;state;retry' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Workflow namespace')
            [CompletionResult]::new('--fanout-id', '--fanout-id', [CompletionResultType]::ParameterName, 'Deduplicates the retry: the same id twice is refused [default: a new ULID]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;state;help' {
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Retry a finished state (errored, timed out, ...) as a new CREATED state')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;state;help;retry' {
            break
        }
        'stmgr;state;help;help' {
            break
        }
        'stmgr;bench' {
            [CompletionResult]::new('--op', '--op', [CompletionResultType]::ParameterName, 'The load')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Concurrent connections (watchers for --op watch)')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Concurrent connections (watchers for --op watch)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'How long to run')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long to run')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after this many requests instead (objects to write for --op memory, default 1000000)')
            [CompletionResult]::new('--value-size', '--value-size', [CompletionResultType]::ParameterName, 'Body size in bytes')
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Namespace to write into')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Writes per second for --op watch')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;snapshot' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the snapshots of the data directory (works while a server runs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;snapshot;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;snapshot;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the snapshots of the data directory (works while a server runs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;snapshot;help;list' {
            break
        }
        'stmgr;snapshot;help;help' {
            break
        }
        'stmgr;trim-wal' {
            [CompletionResult]::new('--snapshot-id', '--snapshot-id', [CompletionResultType]::ParameterName, 'The snapshot whose coverage decides what goes (see `stmgr snapshot list`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be removed without removing anything')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;restore' {
            [CompletionResult]::new('--snapshot-id', '--snapshot-id', [CompletionResultType]::ParameterName, 'The snapshot to start from (see `stmgr snapshot list`)')
            [CompletionResult]::new('--to-seq', '--to-seq', [CompletionResultType]::ParameterName, 'Replay the WAL up to and including this commit_seq [default: the end of the log]')
            [CompletionResult]::new('--to-time', '--to-time', [CompletionResultType]::ParameterName, 'Replay every commit made at or before this time (RFC 3339, e.g. 2026-11-23T10:00:00Z)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;admin' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Print the live objects (read-only; works while a server holds the directory)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every WAL frame and snapshot; exit 1 on corruption')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;admin;dump' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Only this namespace (e.g. agent://demo)')
            [CompletionResult]::new('--at-seq', '--at-seq', [CompletionResultType]::ParameterName, 'The state at this commit_seq instead of the latest (reads the data directory)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;admin;verify' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--repair', '--repair', [CompletionResultType]::ParameterName, 'Cut damaged data away (server stopped): a damaged segment is truncated at the first bad frame and the segments after it moved aside; damaged snapshots are moved aside. Every cut byte is kept under aside/repair-<time>/')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;admin;help' {
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Print the live objects (read-only; works while a server holds the directory)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every WAL frame and snapshot; exit 1 on corruption')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;admin;help;dump' {
            break
        }
        'stmgr;admin;help;verify' {
            break
        }
        'stmgr;admin;help;help' {
            break
        }
        'stmgr;token' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Mint a token signed with the configured active (or next) key')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show a token''s claims and whether it verifies against the configured keys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;token;issue' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Namespace granted: an exact name (agent://demo) or a prefix ending in * (agent://team/*); * alone grants every namespace (repeatable)')
            [CompletionResult]::new('--verbs', '--verbs', [CompletionResultType]::ParameterName, 'Verbs granted, comma-separated')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Lifetime of the token (e.g. 15m, 24h, 30days)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Pin the token to servers of this REGION')
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Largest request body allowed (e.g. 65536, 1MiB)')
            [CompletionResult]::new('--max-qps', '--max-qps', [CompletionResultType]::ParameterName, 'Requests per second allowed (a positive number, e.g. 10 or 0.5)')
            [CompletionResult]::new('--jti', '--jti', [CompletionResultType]::ParameterName, 'Token id (jti) [default: a new ULID]')
            [CompletionResult]::new('--kid', '--kid', [CompletionResultType]::ParameterName, 'Which configured key signs the token')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;token;inspect' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;token;help' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Mint a token signed with the configured active (or next) key')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show a token''s claims and whether it verifies against the configured keys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;token;help;issue' {
            break
        }
        'stmgr;token;help;inspect' {
            break
        }
        'stmgr;token;help;help' {
            break
        }
        'stmgr;keys' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a new random key, as base64:..., for CAP_KEY_ACTIVE or CAP_KEY_NEXT')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;keys;generate' {
            [CompletionResult]::new('--bytes', '--bytes', [CompletionResultType]::ParameterName, 'Number of random bytes (16 to 1024)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: stmgr/config.toml in the platform config directory, if present]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory [default: stmgr in the platform data directory] [env: STMGR_DATA_DIR, DATA_DIR]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Base URL of the stmgr server [default: http://127.0.0.1:8080] [env: STMGR_SERVER]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results [default: chosen by each command, usually table]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Capability token sent to the server as `Authorization: Bearer`')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the server certificates these PEM CA certificates sign (instead of the system''s)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for mutual TLS (with --client-key)')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key sent as `x-api-key` to the workflow API (v0): the server''s STATE_MANAGER_SECRET [env: STMGR_API_KEY, STATE_MANAGER_SECRET, API_KEY, EXOSPHERE_API_KEY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for a server''s answer, e.g. 10s or 2m; 0 for no limit. Streams (watch, admin dump) are bounded only until they start [default: 30s]')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Print tables without their header row or borders: one line per row, columns two spaces apart (for scripts; no effect on json and jsonl)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors: no status messages or progress bars')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stmgr;keys;help' {
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a new random key, as base64:..., for CAP_KEY_ACTIVE or CAP_KEY_NEXT')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;keys;help;generate' {
            break
        }
        'stmgr;keys;help;help' {
            break
        }
        'stmgr;help' {
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Run the state server')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Create or replace an object')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Read an object')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete objects')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the objects of a namespace')
            [CompletionResult]::new('query', 'query', [CompletionResultType]::ParameterValue, 'Find objects by tags and body values')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow the changes of a namespace')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the server''s health and storage')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Named checkpoints of an object: create, list, restore, prune')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Workflow graph templates: upload, validate, list, show, delete, trigger')
            [CompletionResult]::new('node', 'node', [CompletionResultType]::ParameterValue, 'Workflow nodes registered by runtimes')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Workflow runs: list, show, cancel')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Workflow states: retry one by hand')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load a running server and report throughput and latency')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Take a snapshot of the data directory, or list snapshots')
            [CompletionResult]::new('trim-wal', 'trim-wal', [CompletionResultType]::ParameterValue, 'Delete WAL segments already covered by a verified snapshot')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore the data directory to a point in time (server stopped)')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Inspect and repair the data directory')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Mint and inspect capability tokens (offline, with the configured keys)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Make signing keys for capability tokens')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stmgr;help;server' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the server on the data directory (embedded engine; no other service needed)')
            break
        }
        'stmgr;help;server;start' {
            break
        }
        'stmgr;help;put' {
            break
        }
        'stmgr;help;get' {
            break
        }
        'stmgr;help;rm' {
            break
        }
        'stmgr;help;ls' {
            break
        }
        'stmgr;help;query' {
            break
        }
        'stmgr;help;watch' {
            break
        }
        'stmgr;help;status' {
            break
        }
        'stmgr;help;checkpoint' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Keep a copy of the object''s current version under a name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List an object''s checkpoints, newest first')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Write a checkpoint back as the object''s current version (a new commit)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete all but the newest N checkpoints of an object')
            break
        }
        'stmgr;help;checkpoint;create' {
            break
        }
        'stmgr;help;checkpoint;list' {
            break
        }
        'stmgr;help;checkpoint;restore' {
            break
        }
        'stmgr;help;checkpoint;prune' {
            break
        }
        'stmgr;help;graph' {
            [CompletionResult]::new('upload', 'upload', [CompletionResultType]::ParameterValue, 'Check a graph file, upload it, and show how the server judged it')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a graph file offline: syntax, keys and structure (no server)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the graph templates of a namespace with their validation status')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a graph template: status, errors, policy, store keys, triggers and its nodes')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a graph template (its runs stay readable)')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Start a run of a VALID graph and print its run id')
            break
        }
        'stmgr;help;graph;upload' {
            break
        }
        'stmgr;help;graph;validate' {
            break
        }
        'stmgr;help;graph;list' {
            break
        }
        'stmgr;help;graph;show' {
            break
        }
        'stmgr;help;graph;delete' {
            break
        }
        'stmgr;help;graph;trigger' {
            break
        }
        'stmgr;help;node' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the registered nodes of a namespace: runtime, inputs, outputs, secrets')
            break
        }
        'stmgr;help;node;list' {
            break
        }
        'stmgr;help;run' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first, with their status and state counters')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the states of a run as a table, or as a tree of parents and children (--tree)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a run: its pending states become CANCELLED')
            break
        }
        'stmgr;help;run;list' {
            break
        }
        'stmgr;help;run;show' {
            break
        }
        'stmgr;help;run;cancel' {
            break
        }
        'stmgr;help;state' {
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Retry a finished state (errored, timed out, ...) as a new CREATED state')
            break
        }
        'stmgr;help;state;retry' {
            break
        }
        'stmgr;help;bench' {
            break
        }
        'stmgr;help;snapshot' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the snapshots of the data directory (works while a server runs)')
            break
        }
        'stmgr;help;snapshot;list' {
            break
        }
        'stmgr;help;trim-wal' {
            break
        }
        'stmgr;help;restore' {
            break
        }
        'stmgr;help;admin' {
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Print the live objects (read-only; works while a server holds the directory)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every WAL frame and snapshot; exit 1 on corruption')
            break
        }
        'stmgr;help;admin;dump' {
            break
        }
        'stmgr;help;admin;verify' {
            break
        }
        'stmgr;help;token' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Mint a token signed with the configured active (or next) key')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show a token''s claims and whether it verifies against the configured keys')
            break
        }
        'stmgr;help;token;issue' {
            break
        }
        'stmgr;help;token;inspect' {
            break
        }
        'stmgr;help;keys' {
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a new random key, as base64:..., for CAP_KEY_ACTIVE or CAP_KEY_NEXT')
            break
        }
        'stmgr;help;keys;generate' {
            break
        }
        'stmgr;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
