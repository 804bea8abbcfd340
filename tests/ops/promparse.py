#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Strict checker for the Prometheus text exposition format, version 0.0.4.

Debian 12's promtool comes with the whole Prometheus server (~100 MB), so the
tests use this instead. It is stricter than Prometheus' own parser where the
format leaves room, and also applies `promtool check metrics`' lint rules:

  - UTF-8 throughout, every line ends in '\\n', no blank lines
  - '# HELP name text' and '# TYPE name type' at most once per family, both
    before its first sample; every family has both
  - a family's samples are contiguous (no interleaving with another family)
  - metric and label names match the grammar; label names do not start with
    '__' and do not repeat within a sample
  - label values use only the escapes \\\\, \\" and \\n
  - values are Go floats (or NaN, +Inf, -Inf); an optional timestamp is an integer
  - counters end in _total, gauges do not; no series (name + label set) twice
  - counter values are non-negative

Usage: promparse.py FILE|-   exits 0 and prints each sample normalised as
'name{a="x",b="y"} value' (labels sorted), or exits 1 with 'LINE: why'.
"""
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}


class Invalid(Exception):
    pass


def parse_help_text(text):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1:i + 2]
            if nxt not in ("\\", "n"):
                raise Invalid("bad escape in HELP text: \\" + nxt)
            out.append("\\" if nxt == "\\" else "\n")
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_labels(s, i):
    """s[i] is '{'; returns (labels dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if s[i:i + 1] == "}":
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            raise Invalid("bad label name at column %d" % (i + 1))
        name = m.group(0)
        if name.startswith("__"):
            raise Invalid("label name %s is reserved" % name)
        if name in labels:
            raise Invalid("label %s given twice" % name)
        i = m.end()
        if s[i:i + 2] != '="':
            raise Invalid("expected =\" after label %s" % name)
        i += 2
        val = []
        while True:
            if i >= len(s):
                raise Invalid("unterminated label value")
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise Invalid("bad escape in label value: \\" + nxt)
                val.append({"\\": "\\", '"': '"', "n": "\n"}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise Invalid("raw newline in label value")
            else:
                val.append(c)
                i += 1
        labels[name] = "".join(val)
        if s[i:i + 1] == ",":
            i += 1
            if s[i:i + 1] == "}":
                return labels, i + 1    # a trailing comma is allowed by the format
        elif s[i:i + 1] != "}":
            raise Invalid("expected , or } after label %s" % name)


def parse_value(tok, counter):
    if tok in ("NaN", "+Inf", "-Inf"):
        v = float(tok.replace("Inf", "inf").replace("NaN", "nan"))
    elif FLOAT.match(tok):
        v = float(tok)
    else:
        raise Invalid("bad value %r" % tok)
    if counter and v < 0:
        raise Invalid("negative counter value %s" % tok)
    return v


def family_of(name, types):
    if name in types:
        return name
    for t, sufs in SUFFIXES.items():
        for suf in sufs:
            base = name[:-len(suf)]
            if name.endswith(suf) and types.get(base) == t:
                return base
    return name


def check(data):
    """Returns a list of (name, labels, value); raises Invalid('LINE: why')."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Invalid("0: not UTF-8: %s" % e)
    if not text:
        raise Invalid("0: empty")
    if not text.endswith("\n"):
        raise Invalid("0: the last line does not end in a newline")
    helps, types, done, sampled, series, samples = {}, {}, set(), set(), set(), []
    current = None
    for no, line in enumerate(text[:-1].split("\n"), 1):
        try:
            if not line:
                raise Invalid("blank line")
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                    name = parts[2]
                    if not NAME.fullmatch(name):
                        raise Invalid("bad metric name %r" % name)
                    if name in done or name in sampled:
                        raise Invalid("%s for %s after its samples" % (parts[1], name))
                    if parts[1] == "HELP":
                        if name in helps:
                            raise Invalid("second HELP for %s" % name)
                        helps[name] = parse_help_text(parts[3] if len(parts) > 3 else "")
                    else:
                        if name in types:
                            raise Invalid("second TYPE for %s" % name)
                        if len(parts) != 4 or parts[3] not in TYPES:
                            raise Invalid("bad TYPE line")
                        types[name] = parts[3]
                    if current and current != name:
                        done.add(current)
                    current = name
                continue
            m = NAME.match(line)
            if not m:
                raise Invalid("bad metric name")
            name = m.group(0)
            i = m.end()
            labels = {}
            if line[i:i + 1] == "{":
                labels, i = parse_labels(line, i)
            rest = line[i:]
            if not rest.startswith(" "):
                raise Invalid("expected a space before the value")
            toks = rest[1:].split(" ")
            if len(toks) not in (1, 2) or "" in toks:
                raise Invalid("expected VALUE [TIMESTAMP] after the labels")
            fam = family_of(name, types)
            if fam in done:
                raise Invalid("sample of %s after another family began (families must be contiguous)" % fam)
            if current and current != fam:
                done.add(current)
            current = fam
            sampled.add(fam)
            if fam not in types or fam not in helps:
                raise Invalid("%s has no %s before its first sample" % (fam, "TYPE" if fam not in types else "HELP"))
            t = types[fam]
            if t == "counter" and not name.endswith("_total"):
                raise Invalid("counter %s should end in _total" % name)
            if t != "counter" and name.endswith("_total"):
                raise Invalid("%s %s should not end in _total" % (t, name))
            v = parse_value(toks[0], t == "counter")
            if len(toks) == 2 and not re.fullmatch(r"-?[0-9]+", toks[1]):
                raise Invalid("bad timestamp %r" % toks[1])
            key = (name, tuple(sorted(labels.items())))
            if key in series:
                raise Invalid("series %s%s given twice" % (name, labels))
            series.add(key)
            samples.append((name, labels, v))
        except Invalid as e:
            raise Invalid("%d: %s" % (no, e))
    for fam in types:
        if fam not in helps:
            raise Invalid("0: %s has a TYPE but no HELP" % fam)
    return samples


def escape(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def fmt(v):
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    return str(int(v)) if v == int(v) and abs(v) < 2 ** 64 else repr(v)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: promparse.py FILE|-")
    data = sys.stdin.buffer.read() if sys.argv[1] == "-" else open(sys.argv[1], "rb").read()
    try:
        samples = check(data)
    except Invalid as e:
        print("promparse: %s" % e, file=sys.stderr)
        sys.exit(1)
    for name, labels, v in samples:
        lab = ",".join('%s="%s"' % (k, escape(labels[k])) for k in sorted(labels))
        print("%s%s %s" % (name, "{%s}" % lab if lab else "", fmt(v)))


if __name__ == "__main__":
    main()
