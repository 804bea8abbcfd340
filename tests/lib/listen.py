#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Listeners the tests start in a namespace (tests/lib: xf_recv_start, xf_pcap_start; tests/ops:
ops_notify_start), all the same way:

listen.py KIND WHERE OUT READY_FILE SECONDS [ARGS...]

Opens the socket, touches READY_FILE, then appends one line per message to OUT (line buffered,
so a test can read it at any time) and exits after SECONDS. KIND and WHERE:

  udp PORT     UDP on IPv4 and IPv6: the source address of every datagram
  udpt PORT    the same, each line '<monotonic seconds> SRC': when it arrived, for the tests
               that time a change under traffic (CLOCK_MONOTONIC is the same in every process)
  pcap IF      the IPv4 UDP frames arriving on interface IF (not those it sends): 'SRC' or
               'SRC vlan=ID', with the tag the driver stripped or the first one in the frame
  notify ADDR  systemd's notification socket, AF_UNIX datagrams at ADDR (a path, or '@name'
               for an abstract one): '<monotonic seconds> <message, newlines shown as |>'.
               When a message holds READY=1 and a command is given (ARGS), it runs at once
               and its exit status is logged as 'CHECK <rc>': that is how a test proves what
               was true when READY=1 arrived.
"""
import socket
import struct
import subprocess
import sys
import time

SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
SO_RCVBUFFORCE = 33


def udp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)  # bursts must not overflow
    s.bind(("::", int(port)))

    def one(f, args):
        a = s.recvfrom(4096)[1][0]
        f.write((a[7:] if a.startswith("::ffff:") else a) + "\n")
    return s, one


def udpt(port):
    s, _ = udp(port)

    def one(f, args):
        a = s.recvfrom(4096)[1][0]
        f.write("%.6f %s\n" % (time.monotonic(), a[7:] if a.startswith("::ffff:") else a))
    return s, one


def pcap(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)  # the stripped VLAN tag
    s.bind((ifname, 3))

    def one(f, args):
        data, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(20))
        if addr[2] == socket.PACKET_OUTGOING:
            return
        vlan, off = None, 12
        for level, typ, cdata in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 20:
                status, tci = struct.unpack_from("I", cdata, 0)[0], struct.unpack_from("H", cdata, 16)[0]
                if status & TP_STATUS_VLAN_VALID:
                    vlan = tci & 0xfff
        if data[12:14] == b"\x81\x00":
            vlan, off = struct.unpack_from("!H", data, 14)[0] & 0xfff, 16
        if data[off:off + 2] != b"\x08\x00" or len(data) < off + 2 + 20 or data[off + 2 + 9] != 17:
            return
        src = socket.inet_ntoa(data[off + 2 + 12:off + 2 + 16])
        f.write(src + ("" if vlan is None else " vlan=%d" % vlan) + "\n")
    return s, one


def notify(addr):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + addr[1:] if addr.startswith("@") else addr)

    def one(f, check):
        msg = s.recv(4096).decode("utf-8", "replace")
        f.write("%.3f %s\n" % (time.monotonic(), msg.replace("\n", "|")))
        if check and "READY=1" in msg.split("\n"):
            f.write("CHECK %d\n" % subprocess.run(check, stdout=subprocess.DEVNULL,
                                                  stderr=subprocess.DEVNULL).returncode)
    return s, one


def main():
    kind, where, out, ready, life, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], \
        float(sys.argv[5]), sys.argv[6:]
    s, one = {"udp": udp, "udpt": udpt, "pcap": pcap, "notify": notify}[kind](where)
    open(ready, "w").close()
    end = time.monotonic() + life
    with open(out, "a", buffering=1) as f:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                one(f, args)
            except socket.timeout:
                break


main()
