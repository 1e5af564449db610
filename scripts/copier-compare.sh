#!/usr/bin/env bash
# Renders a Copier template with Copier and with scaffold (`scaffold copy`,
# given Copier's own arguments) with the same answers, and prints "identical"
# or the differences (unified diff, then folders, modes and symlinks that
# differ), and both wall times.
#
#   scripts/copier-compare.sh TEMPLATE [ANSWER...]
#
# TEMPLATE: a local folder or a git URL (gh:owner/repo, https://..., git@...).
# ANSWER:   KEY=VALUE (passed as --data to both) or a YAML file (--data-file).
# Both render with --defaults and --trust, tasks skipped (the comparison is of
# what is rendered). Environment: SCAFFOLD (the scaffold binary; default
# target/release/scaffold, else `scaffold` on the PATH), COPIER (default
# `copier`), VCS_REF (--vcs-ref for both), KEEP=1 (keep both renders).
# Exit status: 0 identical, 1 different, 2 bad usage or a tool failed.
set -uo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
template=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
scaffold=${SCAFFOLD:-}
if [[ -z $scaffold ]]; then
    if [[ -x $root/target/release/scaffold ]]; then
        scaffold=$root/target/release/scaffold
    elif command -v scaffold >/dev/null 2>&1; then
        scaffold=$(command -v scaffold)
    else
        echo "no scaffold binary: run 'cargo build --release' or set SCAFFOLD=PATH" >&2
        exit 2
    fi
fi
read -r -a copier <<<"${COPIER:-copier}"
if ! "${copier[@]}" --version >/dev/null 2>&1; then
    echo "copier not found: pip install copier==9.19.1 (or set COPIER)" >&2
    exit 2
fi

# A local template is given to both tools as an absolute path, so that the
# paths they record (_src_path) are the same.
if [[ -e $template ]]; then
    template=$(cd "$template" && pwd)
fi

answers=()
for answer in "$@"; do
    if [[ $answer == *=* ]]; then
        answers+=(--data "$answer")
    elif [[ -f $answer ]]; then
        answers+=(--data-file "$(cd "$(dirname "$answer")" && pwd)/$(basename "$answer")")
    else
        echo "answer '$answer' is neither KEY=VALUE nor a YAML file" >&2
        exit 2
    fi
done
[[ -n ${VCS_REF:-} ]] && answers+=(--vcs-ref "$VCS_REF")

work=$(mktemp -d "${TMPDIR:-/tmp}/copier-compare.XXXXXX")
if [[ -z ${KEEP:-} ]]; then
    trap 'chmod -R u+rwX "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
# Both render into the same path (templates may print _copier_conf.dst_path),
# one after the other; each render is then moved aside.
dest=$work/out/project
mkdir -p "$work/out"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f s", b - a }'; }

export TZ=${TZ:-UTC}
start=$(now)
"${copier[@]}" copy --defaults --trust --skip-tasks --quiet "${answers[@]}" "$template" "$dest" >"$work/copier.log" 2>&1
copier_status=$?
copier_time=$(elapsed "$start" "$(now)")
[[ -e $dest ]] && mv "$dest" "$work/copier"
mkdir -p "$work/copier"

# `scaffold copy` takes Copier's own arguments; older builds have only `new`.
if "$scaffold" --help 2>/dev/null | grep -q '^  copy '; then
    scaffold_args=(copy --defaults --trust --skip-tasks --quiet "${answers[@]}" "$template" "$dest")
else
    scaffold_args=(new "$dest" --template "$template" --defaults "${answers[@]}")
    scaffold_help=$("$scaffold" new --help 2>/dev/null)
    [[ $scaffold_help == *--trust* ]] && scaffold_args+=(--trust)
    [[ $scaffold_help == *--skip-tasks* ]] && scaffold_args+=(--skip-tasks)
fi
start=$(now)
"$scaffold" "${scaffold_args[@]}" >"$work/scaffold.log" 2>&1
scaffold_status=$?
scaffold_time=$(elapsed "$start" "$(now)")
[[ -e $dest ]] && mv "$dest" "$work/scaffold"
mkdir -p "$work/scaffold"

echo "copier:   $copier_time (exit $copier_status)"
echo "scaffold: $scaffold_time (exit $scaffold_status)"
[[ -n ${KEEP:-} ]] && echo "renders kept in $work/copier and $work/scaffold"
if [[ $copier_status -ne 0 || $scaffold_status -ne 0 ]]; then
    if [[ $copier_status -ne 0 ]]; then
        echo "--- copier failed:"
        tail -n 15 "$work/copier.log"
    fi
    if [[ $scaffold_status -ne 0 ]]; then
        echo "--- scaffold failed:"
        tail -n 15 "$work/scaffold.log"
    fi
    [[ $copier_status -ne 0 && $scaffold_status -ne 0 ]] && echo "both refused the template"
    exit 2
fi

# Folders (also empty ones), modes and symlink targets, then contents.
listing() { (cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' | sort); }
different=0
if ! entries=$(diff -u --label copier --label scaffold <(listing "$work/copier") <(listing "$work/scaffold")); then
    echo "--- entries (type, mode, path[target]) differ:"
    echo "$entries" | tail -n +3 | grep '^[-+]'
    if echo "$entries" | grep -q '^-d [0-9]* \./\.git '; then
        echo "(Copier copied its clone's .git: the template's _exclude leaves .git out; scaffold never does, see docs/copier.md)"
    fi
    different=1
fi
if ! (cd "$work" && diff -ruN --no-dereference copier scaffold); then
    different=1
fi
if [[ $different -eq 0 ]]; then
    echo "identical"
fi
exit "$different"
