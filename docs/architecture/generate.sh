#!/usr/bin/env bash
# Regenerates the generated sections of docs/architecture.md from the code (module poms, the
# request chain in NodeVerticle, the GatewayEndpoint and AdminEndpoint implementations).
#
#   docs/architecture/generate.sh           rewrite the generated sections in place
#   docs/architecture/generate.sh --check   exit 1 and print a diff when the committed doc is out
#                                           of date (run by crossgate-app's ArchitectureDocTest)
#   docs/architecture/generate.sh --check FILE   the same for another copy of the doc (for tests)
#
# Works from any directory; reads the working tree only (no git needed). Needs python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v python3 >/dev/null || { echo "generate.sh: python3 is required" >&2; exit 2; }
exec python3 "$here/generate.py" "$@"
