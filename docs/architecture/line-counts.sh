#!/usr/bin/env bash
# Non-blank, non-comment Java lines per package at a git revision, main and test sources apart.
#
#   docs/architecture/line-counts.sh REV PACKAGE...
#
# PACKAGE is module/package under dev/crossgate, e.g. gateway/auth (crossgate-gateway,
# dev.crossgate.gateway.auth), core/problem (crossgate-core, dev.crossgate.problem). A package counts
# its own files, not its subpackages; a bare module name (agent) counts the whole module.
# Comments are // and /* */ (Javadoc included) outside string and char literals; a line holding
# only a comment or only whitespace is not counted. Reads the revision with git show, so the
# working tree does not matter.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,11p' "$0" >&2; exit 2; }
rev=$1; shift
cd "$(git rev-parse --show-toplevel)"
git rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "unknown revision $rev" >&2; exit 2; }

# Counts code lines of the Java text on stdin.
code_lines() {
  awk '
    { line = $0; code = 0; i = 1; n = length(line)
      while (i <= n) {
        c = substr(line, i, 1); two = substr(line, i, 2)
        if (inblock) { if (two == "*/") { inblock = 0; i += 2 } else i++; continue }
        if (intext) { if (substr(line, i, 3) == "\"\"\"") { intext = 0; i += 3 } else i++; code = 1; continue }
        if (two == "//") break
        if (two == "/*") { inblock = 1; i += 2; continue }
        if (substr(line, i, 3) == "\"\"\"") { intext = 1; code = 1; i += 3; continue }
        if (c == "\"" || c == "\047") {
          q = c; i++; code = 1
          while (i <= n && substr(line, i, 1) != q) i += (substr(line, i, 1) == "\\") ? 2 : 1
          i++; continue
        }
        if (c !~ /[ \t\r]/) code = 1
        i++
      }
      if (code) count++
    }
    END { print count + 0 }'
}

# Prints the files of a package (or module) of one source set at $rev.
files() { # spec, main|test
  local spec=$1 set=$2 module rest dir
  module=${spec%%/*}; rest=${spec#*/}
  if [ "$module" = "$spec" ]; then
    git ls-tree -r --name-only "$rev" -- "crossgate-$module/src/$set/java/" | grep '\.java$' || true
    return
  fi
  for dir in "crossgate-$module/src/$set/java/dev/crossgate/$module/$rest" "crossgate-$module/src/$set/java/dev/crossgate/$rest"; do
    if git ls-tree -d --name-only "$rev" -- "$dir" | grep -q .; then
      git ls-tree --name-only "$rev" -- "$dir/" | grep '\.java$' || true
      return
    fi
  done
}

count() { # spec, main|test
  local total=0 f
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    total=$((total + $(git show "$rev:$f" | code_lines)))
  done < <(files "$1" "$2")
  echo "$total"
}

printf '%-18s %6s %6s %6s\n' package main test files
sum_main=0; sum_test=0; sum_files=0
for spec in "$@"; do
  m=$(count "$spec" main); t=$(count "$spec" test); n=$(files "$spec" main | grep -c . || true)
  printf '%-18s %6d %6d %6d\n' "$spec" "$m" "$t" "$n"
  sum_main=$((sum_main + m)); sum_test=$((sum_test + t)); sum_files=$((sum_files + n))
done
printf '%-18s %6d %6d %6d\n' total "$sum_main" "$sum_test" "$sum_files"
