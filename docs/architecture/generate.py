"""Generates the Mermaid pictures of docs/architecture.md from the code; see generate.sh.

Everything drawn is read from the sources, so a picture cannot drift from them:
  * modules   the <module> list of the root pom and the dev.crossgate dependencies of each module pom;
  * chain     the steps of `new RequestChain(List.of(...))` in NodeVerticle, in order, and the
              GatewayEndpoint implementations mounted on the step that serves them;
  * admin     the AdminEndpoint implementations, grouped by whether AdminServer puts them behind
              its authentication handler.
Output is deterministic: sources are read in sorted order and nothing depends on time or host.

--check also lints the hand-written prose: every chain step must be named in it, and every
relative link must point at a file of the repository.
"""

import difflib
import os
import re
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DOC = os.path.join(ROOT, "docs", "architecture.md")
DOC_NAME = "docs/architecture.md"
POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
NODE_VERTICLE = "crossgate-gateway/src/main/java/dev/crossgate/gateway/NodeVerticle.java"
ADMIN_SERVER = "crossgate-admin/src/main/java/dev/crossgate/admin/AdminServer.java"
JAVA_ROOT = "src/main/java/"


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def strip_comments(src):
    """Java source without comments, string literals kept (paths live in them)."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Java sources


class JavaFile:
    def __init__(self, rel):
        self.rel = rel
        self.src = strip_comments(read(rel))
        m = re.search(r"^\s*package\s+([\w.]+)\s*;", self.src, re.M)
        self.package = m.group(1) if m else ""
        self.imports = set(re.findall(r"^\s*import\s+([\w.]+)\s*;", self.src, re.M))
        self.name = os.path.basename(rel)[:-len(".java")]
        self.fqn = self.package + "." + self.name
        self.module = rel.split("/", 1)[0]

    def resolve(self, simple):
        """The fully qualified name a simple type name means in this file (imports, then own package)."""
        for imp in sorted(self.imports):
            if imp.endswith("." + simple):
                return imp
        return self.package + "." + simple



def java_files():
    files = []
    for module in sorted(os.listdir(ROOT)):
        base = os.path.join(ROOT, module, JAVA_ROOT)
        if not module.startswith("crossgate-") or not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(".java"):
                    files.append(JavaFile(os.path.relpath(os.path.join(dirpath, f), ROOT).replace(os.sep, "/")))
    return files


FILES = None


def by_fqn(fqn):
    for f in FILES:
        if f.fqn == fqn:
            return f
    raise SystemExit("generate: no source file for " + fqn)


def short_package(f):
    """dev.crossgate.gateway.auth -> gateway/auth; dev.crossgate.problem in core -> core/problem."""
    pkg = f.package.split(".")[2:]  # drop dev.crossgate
    module = f.module[len("crossgate-"):]
    if not pkg or pkg[0] != module:
        pkg = [module] + pkg
    return "/".join(pkg)


def balanced(src, start):
    """The text between the parenthesis opening at src[start] and its match."""
    depth = 0
    for i in range(start, len(src)):
        if src[i] == "(":
            depth += 1
        elif src[i] == ")":
            depth -= 1
            if depth == 0:
                return src[start + 1:i]
    raise SystemExit("generate: unbalanced parentheses")


def top_level_split(text):
    parts, depth, cur = [], 0, []
    for c in text:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


# ---------------------------------------------------------------------------------------------
# Endpoints


ROUTER_CALL = re.compile(r"\brouter\s*\.\s*(get|post|put|delete|patch|head|options|route)\w*\s*\(\s*(\"[^\"]*\"|\w+)")


def mounted_paths(f, seen=None):
    """Literal paths f puts on the router, following `field.mount(router)` into same-package types."""
    seen = seen or set()
    seen.add(f.fqn)
    constants = dict(re.findall(r"\bString\s+(\w+)\s*=\s*\"([^\"]*)\"", f.src))
    paths = set()
    for _, arg in ROUTER_CALL.findall(f.src):
        if arg.startswith('"'):
            paths.add(arg[1:-1])
        elif arg in constants:
            paths.add(constants[arg])
    for field in re.findall(r"\b(\w+)\s*\.\s*mount\s*\(\s*router\s*\)", f.src):
        m = re.search(r"\b([A-Z]\w*)\s+" + re.escape(field) + r"\s*[;=]", f.src)
        if m:
            target = f.resolve(m.group(1))
            if target not in seen and any(x.fqn == target for x in FILES):
                paths |= mounted_paths(by_fqn(target), seen)
    return paths


def families(paths):
    """The shortest paths, each standing for the ones below it: /_tasks covers /_tasks/:id/result."""
    norm = sorted({p.rstrip("*").rstrip("/") or "/" for p in paths if p.startswith("/")})

    def under(p, q):
        return p != q and (p.startswith(q + "/") or q == "/")

    return [p for p in norm if not any(under(p, q) for q in norm)]


def endpoints(interface):
    found = []
    for f in FILES:
        m = re.search(r"\b(class|record)\s+" + f.name + r"\b[^{]*\bimplements\b([^{]*)\{", f.src)
        if not m or not re.search(r"\b" + interface + r"\b", m.group(2)):
            continue
        wired = sorted({w.name for w in FILES if w is not f and instantiates(w, f)})
        found.append({"file": f, "paths": families(mounted_paths(f)), "wired": wired})
    return sorted(found, key=lambda e: (e["file"].module, short_package(e["file"]), e["file"].name))


def instantiates(w, f):
    qualified = re.escape(f.fqn)
    if re.search(r"\bnew\s+" + qualified + r"\s*\(|\b" + qualified + r"\s*\.\s*create\s*\(", w.src):
        return True
    if w.resolve(f.name) != f.fqn:
        return False
    return re.search(r"(?<![\w.])(new\s+" + f.name + r"\s*\(|" + f.name + r"\s*\.\s*create\s*\()", w.src) is not None


# ---------------------------------------------------------------------------------------------
# Mermaid


def label(*lines):
    text = "<br/>".join(lines)
    if '"' in text or "#" in text or ";" in text:
        raise SystemExit("generate: cannot put " + text + " in a Mermaid label")
    return '"' + text + '"'


def modules_section():
    root = ET.parse(os.path.join(ROOT, "pom.xml")).getroot()
    modules = [m.text.strip() for m in root.findall("m:modules/m:module", POM_NS)]
    lines = ["```mermaid", "flowchart BT"]
    edges = []
    for module in modules:
        pom = ET.parse(os.path.join(ROOT, module, "pom.xml")).getroot()
        desc = (pom.findtext("m:description", "", POM_NS) or "").strip()
        lines.append("  %s[%s]" % (node_id(module), label("<b>" + module + "</b>", desc)))
        strongest = {}
        for dep in pom.findall("m:dependencies/m:dependency", POM_NS):
            if dep.findtext("m:groupId", "", POM_NS).strip() != "dev.crossgate":
                continue
            target = dep.findtext("m:artifactId", "", POM_NS).strip()
            scope = (dep.findtext("m:scope", "", POM_NS) or "compile").strip()
            if strongest.get(target) != "compile":
                strongest[target] = scope
        for target in sorted(strongest, key=lambda t: modules.index(t) if t in modules else len(modules)):
            edges.append((module, target, strongest[target]))
    for module, target, scope in edges:
        arrow = "-->" if scope == "compile" else "-. %s .->" % scope
        lines.append("  %s %s %s" % (node_id(module), arrow, node_id(target)))
    lines.append("```")
    lines.append("")
    lines.append("Arrows point at the module depended on; a dotted arrow is a test-only dependency.")
    return lines


def node_id(name):
    return re.sub(r"\W", "_", name)


def chain_steps():
    nv = by_fqn_rel(NODE_VERTICLE)
    # whitespace-insensitive: the formatter may break the call across lines
    m = re.search(r"new\s+RequestChain\s*\(\s*List\.of\s*(?=\()", nv.src)
    if not m:
        raise SystemExit("generate: no `new RequestChain(List.of(` in " + NODE_VERTICLE)
    args = top_level_split(balanced(nv.src, m.end()))
    steps = []
    for arg in args:
        m = re.match(r"new\s+([\w.]+)\s*\(", arg)
        if not m:
            # a step from its static factory: `FilterStep.beforeRouting()`
            m = re.match(r"([A-Z]\w*)\s*\.\s*[a-z]\w*\s*\(", arg)
        if not m and re.fullmatch(r"\w+", arg.strip()):
            # a step built before the list because another step uses it too: `var proxy = new ProxyStep(`
            m = re.search(r"\bvar\s+" + arg.strip() + r"\s*=\s*new\s+([\w.]+)\s*\(", nv.src)
        if not m:
            raise SystemExit("generate: chain element is neither `new Step(...)`, `Step.factory(...)` nor a `var` built so: " + arg)
        name = m.group(1)
        steps.append(by_fqn(name if "." in name else nv.resolve(name)))
    return steps


def by_fqn_rel(rel):
    for f in FILES:
        if f.rel == rel:
            return f
    raise SystemExit("generate: missing " + rel)


def chain_section(steps):
    gateway_endpoints = endpoints("GatewayEndpoint")
    lines = ["```mermaid", "flowchart TD", "  client([client]) --> s1"]
    for i, step in enumerate(steps, 1):
        lines.append("  s%d[%s]" % (i, label("%d. <b>%s</b>" % (i, step.name), short_package(step))))
        if i > 1:
            lines.append("  s%d --> s%d" % (i - 1, i))
    lines.append("  s%d --> upstream([upstream])" % len(steps))
    serving = [i for i, s in enumerate(steps, 1) if re.search(r"\bGatewayEndpoint\b", s.src)]
    for i in serving:
        own = sorted(set(re.findall(r"\.equals\(\"(/_[^\"]*)\"\)", steps[i - 1].src)))
        if own:
            lines.append("  s%d -.-> self%d[%s]" % (i, i, label(*(own + ["answered by the step itself"]))))
        for e in gateway_endpoints:
            f = e["file"]
            lines.append("  s%d -.-> g_%s_%s[%s]" % (i, node_id(short_package(f)), f.name, label(
                "<b>%s</b>" % f.name, short_package(f), " ".join(e["paths"]), "wired in " + ", ".join(e["wired"]))))
    lines.append("```")
    lines.append("")
    lines.append("Solid arrows are the request phase, in order; the response phase runs back up through the "
                 "same steps. Dotted arrows are the built-in `/_` endpoints (`GatewayEndpoint`) served by that "
                 "step through its router.")
    return lines


def admin_section():
    server = by_fqn_rel(ADMIN_SERVER)
    guarded = sorted(set(re.findall(r"route\(\"([^\"]+)\"\)\s*\.\s*handler\(\s*auth\s*\)", server.src)))
    prefixes = [g.rstrip("*").rstrip("/") for g in guarded]
    groups = {}
    for e in endpoints("AdminEndpoint"):
        behind = all(any(p == q or p.startswith(q + "/") for q in prefixes) for p in e["paths"])
        groups.setdefault(behind, []).append(e)
    own = families(p for p in mounted_paths(server) if p != "/" and p not in guarded)
    lines = ["```mermaid", "flowchart LR", "  admin[%s]" % label("<b>AdminServer</b>", "admin", *own)]
    for behind in (True, False):
        if behind not in groups:
            continue
        gid = "behind_auth" if behind else "own_auth"
        title = (" ".join(guarded) + " · behind AdminAuth") if behind else "own authentication"
        lines.append("  subgraph %s[%s]" % (gid, label(title)))
        for e in groups[behind]:
            f = e["file"]
            lines.append("    a_%s_%s[%s]" % (node_id(short_package(f)), f.name, label(
                "<b>%s</b>" % f.name, short_package(f), " ".join(e["paths"]))))
        lines.append("  end")
        lines.append("  admin --> %s" % gid)
    wired = sorted({w for es in groups.values() for e in es for w in e["wired"]})
    lines.append("```")
    lines.append("")
    lines.append("The paths in the `AdminServer` box are its own; every other family is an `AdminEndpoint` "
                 "that mounts itself on the router, wired in %s." % ", ".join("`%s`" % w for w in wired))
    return lines


# ---------------------------------------------------------------------------------------------
# The document


def begin(name):
    return "<!-- BEGIN GENERATED %s: docs/architecture/generate.sh; do not edit by hand -->" % name


def end(name):
    return "<!-- END GENERATED %s -->" % name


def render(doc, sections):
    for name, body in sections:
        b, e = begin(name), end(name)
        if doc.count(b) != 1 or doc.count(e) != 1 or doc.index(b) > doc.index(e):
            raise SystemExit("generate: %s needs exactly one pair of markers:\n  %s\n  %s" % (DOC_NAME, b, e))
        head, rest = doc.split(b, 1)
        _, tail = rest.split(e, 1)
        doc = head + b + "\n" + "\n".join(body) + "\n" + e + tail
    return doc


def lint(doc, steps):
    prose = re.sub(r"<!-- BEGIN GENERATED.*?<!-- END GENERATED [^>]*-->", "", doc, flags=re.S)
    problems = []
    for step in steps:
        if not re.search(r"\b" + step.name + r"\b", prose):
            problems.append("the prose does not mention chain step %s (%s)" % (step.name, step.rel))
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", prose):
        if re.match(r"^[a-z]+:", target):
            problems.append("links outside the repository: " + target)
        elif not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(DOC), target))):
            problems.append("links to a missing file: " + target)
    return problems


def main(argv):
    global FILES
    args = argv[1:]
    check = args[:1] == ["--check"]
    if not (args == [] or check and len(args) <= 2):
        raise SystemExit("usage: generate.sh [--check [FILE]]  (FILE: check another copy of the doc)")
    doc_path = args[1] if len(args) == 2 else DOC
    FILES = java_files()
    steps = chain_steps()
    sections = [("modules", modules_section()), ("chain", chain_section(steps)), ("admin", admin_section())]
    with open(doc_path, encoding="utf-8") as f:
        current = f.read()
    wanted = render(current, sections)
    if not check:
        if wanted != current:
            with open(DOC, "w", encoding="utf-8") as f:
                f.write(wanted)
            print("generate: updated " + DOC_NAME)
        return 0
    failed = False
    if wanted != current:
        failed = True
        print("%s is out of date; run docs/architecture/generate.sh and commit the result:" % DOC_NAME)
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True),
                                                   DOC_NAME + " (committed)", DOC_NAME + " (generated)"))
    for problem in lint(current, steps):
        failed = True
        print("%s: %s" % (DOC_NAME, problem))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
