#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Offline checks of deploy/kubernetes against the repository (tests/ops/kubernetes.bats).

  k8s_check.py CHECK DIR [--unit UNIT] [--xdpfwd BIN] [--root REPO] [--kubectl KUBECTL]

CHECK is one of: parse, daemonset, caps, mounts, args, ports, containerfile, kubectl.
Prints one line per problem and exits 1 if there is any; 0 and "ok: CHECK" otherwise.
Nothing here talks to a cluster: what the API server would refuse is checked by hand (the two
rules it enforces on this DaemonSet's security context are spelled out below).
"""
import argparse
import json
import os
import re
import subprocess
import sys

import yaml

problems = []


def bad(msg):
    problems.append(msg)


def load_docs(d):
    docs = {}
    for name in sorted(os.listdir(d)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(d, name)) as f:
            try:
                docs[name] = [x for x in yaml.safe_load_all(f) if x is not None]
            except yaml.YAMLError as e:
                bad(f"{name}: not YAML: {e}".replace("\n", " "))
    return docs


def find(docs, kind):
    return [(n, x) for n, xs in docs.items() for x in xs if isinstance(x, dict) and x.get("kind") == kind]


def the(docs, kind):
    found = find(docs, kind)
    if len(found) != 1:
        bad(f"expected one {kind}, found {len(found)}")
        sys.exit(report("?"))
    return found[0][1]


def report(check):
    for p in problems:
        print(f"{check}: {p}")
    if problems:
        return 1
    print(f"ok: {check}")
    return 0


def pod_spec(ds):
    return ds.get("spec", {}).get("template", {}).get("spec", {})


def daemon_container(ds):
    cs = pod_spec(ds).get("containers") or []
    for c in cs:
        if c.get("name") == "xdpfwd":
            return c
    bad("the DaemonSet has no container named xdpfwd")
    sys.exit(report("?"))


def unit_caps(unit):
    """The unit's CapabilityBoundingSet= and AmbientCapabilities=, as sets of CAP_ names."""
    caps = {"CapabilityBoundingSet": set(), "AmbientCapabilities": set()}
    with open(unit) as f:
        for line in f:
            m = re.match(r"^(CapabilityBoundingSet|AmbientCapabilities)=(.*)$", line.strip())
            if m:
                caps[m.group(1)] |= set(m.group(2).split())
    return caps


def cap_name(c):
    c = str(c).upper()
    return c if c.startswith("CAP_") else "CAP_" + c


def args_of(c):
    """The container's arguments with $(VAR) expanded as the kubelet does from its env values."""
    env = {}
    for e in c.get("env") or []:
        if "value" in e:
            env[e["name"]] = str(e["value"])
        elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "status.hostIP":
            env[e["name"]] = "192.0.2.10"
        else:
            env[e["name"]] = "value"
    out = []
    for a in c.get("args") or []:
        for var in re.findall(r"\$\((\w+)\)", a):
            if var not in env:
                bad(f"argument {a} names $({var}), which the container's env does not define")
        out.append(re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), a))
    return out


def opt(args, name):
    for a in args:
        if a.startswith(f"--{name}="):
            return a.split("=", 1)[1]
    for i, a in enumerate(args):
        if a == f"--{name}" and i + 1 < len(args):
            return args[i + 1]
    return None


def check_parse(docs, d):
    if not docs:
        bad(f"no *.yaml in {d}")
    for name, xs in docs.items():
        if not xs:
            bad(f"{name}: empty")
        for x in xs:
            if not isinstance(x, dict):
                bad(f"{name}: a document that is not a mapping")
                continue
            for field in ("apiVersion", "kind"):
                if not x.get(field):
                    bad(f"{name}: no {field}")
            if x.get("kind") == "Kustomization":
                for r in x.get("resources") or []:
                    if not os.path.exists(os.path.join(d, r)):
                        bad(f"{name}: resource {r} does not exist")
                continue
            if not (x.get("metadata") or {}).get("name"):
                bad(f"{name}: {x.get('kind')} without metadata.name")
            ns = (x.get("metadata") or {}).get("namespace")
            if x.get("kind") != "Namespace" and ns != "xdpfwd":
                bad(f"{name}: {x.get('kind')} in namespace {ns}, not xdpfwd")


def check_daemonset(docs):
    ds = the(docs, "DaemonSet")
    spec = ds.get("spec", {})
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
    labels = spec.get("template", {}).get("metadata", {}).get("labels") or {}
    if not sel:
        bad("spec.selector.matchLabels is missing")
    for k, v in sel.items():
        if labels.get(k) != v:
            bad(f"the selector {k}={v} does not match the pod template's labels")
    us = spec.get("updateStrategy") or {}
    ru = us.get("rollingUpdate") or {}
    if us.get("type") != "RollingUpdate":
        bad(f"updateStrategy.type is {us.get('type')}, not RollingUpdate")
    if ru.get("maxUnavailable") != 1:
        bad(f"rollingUpdate.maxUnavailable is {ru.get('maxUnavailable')}, not 1")
    if ru.get("maxSurge", 0) not in (0, "0%"):
        bad(f"rollingUpdate.maxSurge is {ru.get('maxSurge')}: a surge pod would meet the old daemon's lock")
    ps = pod_spec(ds)
    if ps.get("hostNetwork") is not True:
        bad("hostNetwork is not true: the daemon would protect the pod's own interface")
    for c in (ps.get("containers") or []) + (ps.get("initContainers") or []):
        for field in ("name", "image"):
            if not c.get(field):
                bad(f"a container without {field}")
    c = daemon_container(ds)
    if not c.get("command"):
        bad("the xdpfwd container has no command")
    if not c.get("livenessProbe"):
        bad("the xdpfwd container has no livenessProbe")


def check_caps(docs, unit):
    ds = the(docs, "DaemonSet")
    c = daemon_container(ds)
    uc = unit_caps(unit)
    if not uc["CapabilityBoundingSet"]:
        bad(f"{unit} has no CapabilityBoundingSet= line")
    sc = c.get("securityContext") or {}
    caps = sc.get("capabilities") or {}
    add = {cap_name(x) for x in caps.get("add") or []}
    drop = {str(x).upper() for x in caps.get("drop") or []}
    if add != uc["CapabilityBoundingSet"]:
        bad(f"capabilities.add is {sorted(add)}, the unit's CapabilityBoundingSet= is {sorted(uc['CapabilityBoundingSet'])}")
    if not uc["AmbientCapabilities"] <= add:
        bad(f"the unit's AmbientCapabilities= {sorted(uc['AmbientCapabilities'])} are not all added")
    if "ALL" not in drop:
        bad("capabilities.drop does not name ALL: the runtime's default set would stay")
    if sc.get("privileged"):
        bad("the xdpfwd container is privileged: it needs only the unit's capabilities")
    if sc.get("runAsUser", 0) != 0:
        bad("runAsUser is not 0: the daemon trusts only root-owned pins and needs root's bpffs")
    # The API server's rules for this security context (validation.go, validateSecurityContext):
    if sc.get("allowPrivilegeEscalation") is False:
        if sc.get("privileged"):
            bad("allowPrivilegeEscalation: false with privileged: true is refused by the API server")
        if "CAP_SYS_ADMIN" in [str(x) for x in caps.get("add") or []]:
            bad("allowPrivilegeEscalation: false with capabilities.add CAP_SYS_ADMIN (spelled so) is refused by the API server")
    with open(unit) as f:
        nnp = re.search(r"^NoNewPrivileges=yes$", f.read(), re.M)
    if nnp and sc.get("allowPrivilegeEscalation") is not False:
        bad("the unit says NoNewPrivileges=yes but allowPrivilegeEscalation is not false")


def check_mounts(docs, xdpfwd_args=None):
    ds = the(docs, "DaemonSet")
    ps = pod_spec(ds)
    vols = {v.get("name"): v for v in ps.get("volumes") or []}
    c = daemon_container(ds)
    args = args_of(c)
    mounts = {m.get("mountPath"): m for m in c.get("volumeMounts") or []}

    def host_path(m):
        v = vols.get(m.get("name")) if m else None
        if not v:
            return None
        return (v.get("hostPath") or {}).get("path")

    bpf = mounts.get("/sys/fs/bpf")
    if host_path(bpf) != "/sys/fs/bpf":
        bad("the xdpfwd container does not mount the host's /sys/fs/bpf at /sys/fs/bpf: pins would die with the pod")
    elif bpf.get("readOnly"):
        bad("/sys/fs/bpf is mounted read-only: the daemon pins there")
    elif bpf.get("mountPropagation") not in ("HostToContainer", "Bidirectional"):
        bad(f"/sys/fs/bpf has mountPropagation {bpf.get('mountPropagation')}: a bpffs mounted on the host later would not be seen")
    pin = opt(args, "pin-dir") or "/sys/fs/bpf/xdpfwd"
    if not pin.startswith("/sys/fs/bpf/"):
        bad(f"--pin-dir {pin} is not under the host's bpffs mount")
    btf = mounts.get("/sys/kernel/btf")
    if host_path(btf) != "/sys/kernel/btf":
        bad("the host's /sys/kernel/btf is not mounted at /sys/kernel/btf")
    elif not btf.get("readOnly"):
        bad("/sys/kernel/btf is mounted writable: read-only is all the loader needs")
    sets = opt(args, "sets-dir")
    m = mounts.get(sets)
    cm = ((vols.get(m.get("name")) or {}).get("configMap") or {}).get("name") if m else None
    if not sets:
        bad("the daemon gets no --sets-dir")
    elif not cm:
        bad(f"--sets-dir {sets} is not a ConfigMap volume's mount path")
    elif cm not in [x.get("metadata", {}).get("name") for _, x in find(docs, "ConfigMap")]:
        bad(f"the sets volume names ConfigMap {cm}, which no manifest defines")
    state = opt(args, "state-dir")
    if state and not host_path(mounts.get(state)):
        bad(f"--state-dir {state} is not a hostPath mount: --persist entries would die with the pod")
    # The API server refuses Bidirectional propagation in a container that is not privileged;
    # one container must make sure the host has a bpffs there (mounted in the host's namespace).
    bidir_ok = False
    for k in (ps.get("initContainers") or []) + (ps.get("containers") or []):
        priv = (k.get("securityContext") or {}).get("privileged") is True
        for mm in k.get("volumeMounts") or []:
            if mm.get("mountPropagation") == "Bidirectional":
                if not priv:
                    bad(f"container {k.get('name')}: Bidirectional propagation without privileged is refused by the API server")
                elif host_path(mm) == "/sys/fs/bpf" and "mount -t bpf" in " ".join(k.get("command") or []):
                    bidir_ok = True
    if not bidir_ok:
        bad("no privileged container with a Bidirectional /sys/fs/bpf mount makes sure the host has a bpffs there")


def check_args(docs, xdpfwd):
    ds = the(docs, "DaemonSet")
    c = daemon_container(ds)
    args = args_of(c)
    if not opt(args, "iface"):
        bad("the daemon gets no --iface")
    helptext = subprocess.run([xdpfwd, "--help"], capture_output=True, text=True).stdout
    known = set(re.findall(r"--([a-z][a-z0-9-]*)", helptext))
    for a in args:
        if a.startswith("--") and a[2:].split("=", 1)[0] not in known:
            bad(f"{a}: not an option `xdpfwd --help` lists")
    # The binary parses them (every value is checked as it is parsed); the final --help then
    # prints and exits 0 before anything starts. Exit 2 is a bad option or value.
    r = subprocess.run([xdpfwd] + args + ["--help"], capture_output=True, text=True)
    if r.returncode != 0:
        bad(f"xdpfwd refuses the DaemonSet's arguments: {r.stderr.strip()}")
    ml = opt(args, "metrics-listen")
    if ml and not ml.startswith(("127.", "[::1]")) and "--metrics-allow-remote" not in args:
        bad(f"--metrics-listen {ml} is not loopback and --metrics-allow-remote is missing: the daemon would refuse it")


def check_ports(docs):
    ds = the(docs, "DaemonSet")
    c = daemon_container(ds)
    args = args_of(c)
    ml = opt(args, "metrics-listen")
    if not ml:
        bad("no --metrics-listen: nothing to probe or scrape")
        return
    port = int(ml.rsplit(":", 1)[1])
    cports = {p.get("name"): p for p in c.get("ports") or []}
    mp = cports.get("metrics")
    if not mp or mp.get("containerPort") != port:
        bad(f"no container port named metrics with containerPort {port} (--metrics-listen {ml})")
    for probe in ("startupProbe", "livenessProbe"):
        hg = (c.get(probe) or {}).get("httpGet") or {}
        if not hg:
            continue
        if hg.get("port") not in ("metrics", port):
            bad(f"{probe} probes port {hg.get('port')}, not the metrics port")
        if hg.get("path") != "/metrics":
            bad(f"{probe} probes {hg.get('path')}; the daemon answers only /metrics")
    svc = the(docs, "Service")
    sp = svc.get("spec", {})
    tl = ds["spec"]["template"]["metadata"].get("labels") or {}
    for k, v in (sp.get("selector") or {}).items():
        if tl.get(k) != v:
            bad(f"the Service selects {k}={v}, which the DaemonSet's pods do not carry")
    names = [p.get("name") for p in sp.get("ports") or [] if p.get("targetPort") in ("metrics", port)]
    if not names:
        bad("no Service port targets the metrics port")
    for _, sm in find(docs, "ServiceMonitor"):
        sel = (sm.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        sl = svc.get("metadata", {}).get("labels") or {}
        for k, v in sel.items():
            if sl.get(k) != v:
                bad(f"the ServiceMonitor selects Services labelled {k}={v}; xdpfwd's is not")
        for ep in sm.get("spec", {}).get("endpoints") or []:
            if ep.get("port") not in names:
                bad(f"the ServiceMonitor scrapes port {ep.get('port')}, which the Service does not name")


def check_containerfile(d, root, xdpfwd, docs):
    path = os.path.join(d, "Containerfile")
    with open(path) as f:
        text = f.read().replace("\\\n", " ")
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    froms = [l.split()[1] for l in lines if l.upper().startswith("FROM ")]
    if not froms or not re.search(r"(^|/)debian:(12|bookworm)(-slim)?$", froms[0]):
        bad(f"the base image is {froms[:1]}, not Debian 12")
    dests = []
    for l in lines:
        if l.upper().startswith(("COPY ", "ADD ")):
            parts = [p for p in l.split()[1:] if not p.startswith("--")]
            for src in parts[:-1]:
                if not os.path.exists(os.path.join(root, src)):
                    bad(f"COPY {src}: no such file in {root} (run make first)")
            dests.append(parts[-1])
    pkgs = set()
    for l in lines:
        for m in re.finditer(r"apt-get install ([^&;]*)", l):
            pkgs |= {p for p in m.group(1).split() if not p.startswith("-")}
    # Every library the binary names must come from a package the Containerfile installs (or
    # libc6, in every Debian image); their own dependencies come with them.
    od = subprocess.run(["objdump", "-p", xdpfwd], capture_output=True, text=True, check=True).stdout
    ldd = subprocess.run(["ldd", xdpfwd], capture_output=True, text=True).stdout
    where = {}
    for l in ldd.splitlines():
        m = re.match(r"\s*(\S+) => (\S+)", l)
        if m:
            where[m.group(1)] = m.group(2)
    for lib in re.findall(r"NEEDED\s+(\S+)", od):
        p = where.get(lib)
        if not p or p == "not":
            bad(f"{lib}: not found by ldd on this host")
            continue
        r = subprocess.run(["dpkg", "-S", os.path.realpath(p)], capture_output=True, text=True)
        if r.returncode:
            r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        pkg = r.stdout.split(":", 1)[0] if r.returncode == 0 else None
        if pkg != "libc6" and pkg not in pkgs:
            bad(f"{lib} is in package {pkg}, which the Containerfile does not install")
    ds = the(docs, "DaemonSet")
    cmd = (daemon_container(ds).get("command") or [None])[0]
    if cmd not in dests:
        bad(f"the DaemonSet runs {cmd}, but the Containerfile copies the binary to {dests}")


def check_kubectl(d, kubectl):
    """kubectl without a cluster: kustomize builds the set, and the DaemonSet and the Service
    decode into Kubernetes' types (set env / set selector --local, which convert to the typed
    object, unlike label or annotate), every field kept: the decoder drops a misspelled or
    unknown field, which is then found missing here, and refuses a value of the wrong type.
    The ConfigMap and Namespace have no such command; parse checks their few fields."""
    env = dict(os.environ, KUBECONFIG="/dev/null")
    r = subprocess.run([kubectl, "kustomize", d], capture_output=True, text=True, env=env)
    if r.returncode:
        bad(f"kubectl kustomize {d} failed: {r.stderr.strip()}")
    for name in sorted(os.listdir(d)):
        if not name.endswith(".yaml") or name == "kustomization.yaml":
            continue
        path = os.path.join(d, name)
        with open(path) as f:
            want = [x for x in yaml.safe_load_all(f) if x]
        if len(want) != 1:
            continue
        w = want[0]
        if w.get("kind") == "DaemonSet":
            # A variable appended to one container's env: the object is decoded, and changes
            # nothing else (kubectl prints nothing when a set changes nothing at all).
            cmd = ["set", "env", "--local", "--containers=xdpfwd", "XDPFWD_CHECK=1"]
        elif w.get("kind") == "Service":
            sel = ",".join(f"{k}={v}" for k, v in (w.get("spec", {}).get("selector") or {}).items())
            cmd = ["set", "selector", "--local", sel]
        else:
            continue
        r = subprocess.run([kubectl] + cmd + ["-f", path, "-o", "json"], capture_output=True, text=True, env=env)
        if r.returncode:
            bad(f"{name}: kubectl cannot decode it: {r.stderr.strip()}")
            continue
        for p in missing(w, json.loads(r.stdout)):
            bad(f"{name}: {w.get('kind')} field {p} is not in Kubernetes' type (dropped by kubectl's decoder)")


def missing(want, got, path=""):
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [path or "."]
        out = []
        for k, v in want.items():
            if k not in got:
                out.append(f"{path}.{k}")
            else:
                out += missing(v, got[k], f"{path}.{k}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) < len(want):
            return [path]
        out = []
        for i, (a, b) in enumerate(zip(want, got)):
            out += missing(a, b, f"{path}[{i}]")
        return out
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("check")
    ap.add_argument("dir")
    ap.add_argument("--unit", default="systemd/xdpfwd@.service")
    ap.add_argument("--xdpfwd", default="build/xdpfwd")
    ap.add_argument("--root", default=".")
    ap.add_argument("--kubectl", default="kubectl")
    a = ap.parse_args()
    docs = load_docs(a.dir)
    if a.check != "parse" and problems:
        return report(a.check)
    if a.check == "parse":
        check_parse(docs, a.dir)
    elif a.check == "daemonset":
        check_daemonset(docs)
    elif a.check == "caps":
        check_caps(docs, a.unit)
    elif a.check == "mounts":
        check_mounts(docs)
    elif a.check == "args":
        check_args(docs, a.xdpfwd)
    elif a.check == "ports":
        check_ports(docs)
    elif a.check == "containerfile":
        check_containerfile(a.dir, a.root, a.xdpfwd, docs)
    elif a.check == "kubectl":
        check_kubectl(a.dir, a.kubectl)
    else:
        bad(f"unknown check {a.check}")
    return report(a.check)


if __name__ == "__main__":
    sys.exit(main())
