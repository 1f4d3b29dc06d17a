# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_stmgr_global_optspecs
    string join \n config= data-dir= server= output= q/quiet v/verbose h/help V/version
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
complete -c stmgr -n "__fish_stmgr_needs_command" -l data-dir -d 'Data directory (the legacy DATA_DIR variable is read too) [default: stmgr in the platform data directory]' -r -F
complete -c stmgr -n "__fish_stmgr_needs_command" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080]' -r
complete -c stmgr -n "__fish_stmgr_needs_command" -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_needs_command" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_needs_command" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_needs_command" -s V -l version -d 'Print version'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "snapshot" -d 'Take a snapshot of the data directory, or list snapshots'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "trim-wal" -d 'Delete WAL segments already covered by a verified snapshot'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "restore" -d 'Restore the data directory to a point in time (server stopped)'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "admin" -d 'Inspect and repair the data directory'
complete -c stmgr -n "__fish_stmgr_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot" -l data-dir -d 'Data directory (the legacy DATA_DIR variable is read too) [default: stmgr in the platform data directory]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot" -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand snapshot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l data-dir -d 'Data directory (the legacy DATA_DIR variable is read too) [default: stmgr in the platform data directory]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand trim-wal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l data-dir -d 'Data directory (the legacy DATA_DIR variable is read too) [default: stmgr in the platform data directory]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin" -l config -d 'Config file [default: stmgr/config.toml in the platform config directory, if present]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin" -l data-dir -d 'Data directory (the legacy DATA_DIR variable is read too) [default: stmgr in the platform data directory]' -r -F
complete -c stmgr -n "__fish_stmgr_using_subcommand admin" -l server -d 'Base URL of the stmgr server [default: http://127.0.0.1:8080]' -r
complete -c stmgr -n "__fish_stmgr_using_subcommand admin" -l output -d 'Output format of results [default: chosen by each command, usually table]' -r -f -a "table\t'Human-readable tables'
json\t'One pretty-printed JSON document'
jsonl\t'One compact JSON document per line'"
complete -c stmgr -n "__fish_stmgr_using_subcommand admin" -s q -l quiet -d 'Print only results and errors: no status messages or progress bars'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin" -s v -l verbose -d 'More diagnostics on stderr (-v info, -vv debug, -vvv trace; see also STMGR_LOG)'
complete -c stmgr -n "__fish_stmgr_using_subcommand admin" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from snapshot trim-wal restore admin help" -f -a "snapshot" -d 'Take a snapshot of the data directory, or list snapshots'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from snapshot trim-wal restore admin help" -f -a "trim-wal" -d 'Delete WAL segments already covered by a verified snapshot'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from snapshot trim-wal restore admin help" -f -a "restore" -d 'Restore the data directory to a point in time (server stopped)'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from snapshot trim-wal restore admin help" -f -a "admin" -d 'Inspect and repair the data directory'
complete -c stmgr -n "__fish_stmgr_using_subcommand help; and not __fish_seen_subcommand_from snapshot trim-wal restore admin help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
