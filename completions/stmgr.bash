# bash completion for stmgr (`stmgr completions bash`): asks stmgr itself what to offer.
_stmgr() {
    local cur=$2 line=${COMP_LINE:0:COMP_POINT} word i n=-1
    local -a words=() candidates=()
    # Bash splits words at the characters of COMP_WORDBREAKS, ':' and '=' among them: glue
    # back what the line has without a space between, so that `agent://demo` and
    # `--server=http://host:8080` reach stmgr whole.
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        word=${COMP_WORDS[i]}
        ((i == COMP_CWORD)) && word=$cur
        if ((n < 0)) || [[ $line == [[:space:]]* ]]; then
            line=${line#"${line%%[![:space:]]*}"}
            words+=("$word")
            n=$((n + 1))
        else
            words[n]+=$word
        fi
        line=${line#"$word"}
    done
    ((n < 0)) && return
    IFS=$'\013' read -r -d '' -a candidates < <(
        _CLAP_IFS=$'\013' _CLAP_COMPLETE_INDEX=$n _CLAP_COMPLETE_COMP_TYPE=${COMP_TYPE:-9} \
            COMPLETE=bash command stmgr -- "${words[@]}" 2>/dev/null
    )
    # Bash replaces only the last piece of the word it split: hand it back only that piece.
    local keep=${words[n]%"$cur"}
    COMPREPLY=()
    for word in "${candidates[@]}"; do
        COMPREPLY+=("${word#"$keep"}")
    done
    if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} =~ [=/:]$ ]]; then
        compopt -o nospace 2>/dev/null
    else
        compopt +o nospace 2>/dev/null
    fi
    return 0
}
if [[ ${BASH_VERSINFO[0]} -eq 4 && ${BASH_VERSINFO[1]} -ge 4 || ${BASH_VERSINFO[0]} -gt 4 ]]; then
    complete -o nospace -o bashdefault -o nosort -F _stmgr stmgr
else
    complete -o nospace -o bashdefault -F _stmgr stmgr
fi
