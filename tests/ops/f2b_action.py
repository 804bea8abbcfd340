#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Expands one command of a fail2ban action file the way fail2ban does, for the tests.

f2b_action.py FILE COMMAND [NAME=VALUE]...

Reads FILE's [Definition] and [Init] sections (fail2ban's action.d format), then replaces
<tag>s in COMMAND (actionban, actionunban, actioncheck, ...): first with the NAME=VALUE
pairs (the ticket's <ip> and <bantime>, or jail arguments such as pindir=...), which win,
then with [Init] and [Definition] options, repeatedly, since a value may hold tags of its
own. Ticket values are shell-escaped as fail2ban's escapeTag does. Prints the command; fails
if a tag is left that neither defines (fail2ban would run it with the tag in place).
"""
import configparser
import re
import sys

TAG = re.compile(r"<([^ <>]+)>")
TICKET = ("ip", "bantime", "ip-rev", "failures", "time", "matches")


def escape(v):
    # fail2ban.server.action.CommandAction.escapeTag
    for c in "\\#&;`|*?~<>^()[]{}$'\"\n\r":
        v = v.replace(c, "\\" + c)
    return v


def main():
    path, command = sys.argv[1], sys.argv[2]
    cp = configparser.RawConfigParser(strict=True, delimiters=("=",), comment_prefixes=("#", ";"),
                                      inline_comment_prefixes=(";",), empty_lines_in_values=False)
    cp.optionxform = str
    cp.read(path)
    opts = dict(cp.items("Definition"))
    if cp.has_section("Init"):
        opts.update(cp.items("Init"))
    args = dict(a.split("=", 1) for a in sys.argv[3:])
    if command not in opts:
        sys.exit("%s: no %s in [Definition]" % (path, command))
    text = opts[command]
    for _ in range(10):
        def sub(m):
            name = m.group(1)
            if name in args:
                return escape(args[name]) if name in TICKET else args[name]
            if name in opts and name not in TICKET:
                return opts[name]
            return m.group(0)
        new = TAG.sub(sub, text)
        if new == text:
            break
        text = new
    left = [t for t in TAG.findall(text)]
    if left:
        sys.exit("%s: %s: tags left undefined: %s" % (path, command, ", ".join(left)))
    print(text)


if __name__ == "__main__":
    main()
