complete --keep-order --exclusive --command stmgr --arguments "(COMPLETE=fish stmgr -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
