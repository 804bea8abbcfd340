/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library's front door: what the front ends (daemon/service, daemon/cli)
 * use of an xdpfwd instance. An instance is a pin dir on bpffs holding the
 * program's maps (and the program): it lives on without any process, and
 * every front end opens it the same way. Functions return 0 or -errno; the
 * skeleton (struct xdpfwd_bpf, build/xdpfwd.skel.h) is the instance's handle.
 * This header includes the module headers; each says the rules of its part.
 *
 *   open, create   pinned_open_all (every map pinned: the commands)
 *                  pinned_open_reuse, pinned_pin_new, pinned_pin_prog (the daemon's start)
 *                  pinned_close, pinned_remove_all, pinned_record_iface, pinned_map_id
 *                  pin_dir_lock / pin_dir_unlock (common/pin_dir.h): one writer at a time
 *                  instance_lock_iface: one daemon per interface
 *   lists          list_maps_get, then list_add, list_del, list_replace, list_flush,
 *                  list_read, list_count, list_expire, list_recount
 *   list files     set_files_read, set_files_read_changed, set_files_apply, set_files_count,
 *                  set_files_free (set_files.h: --sets-dir, --blocklist-file, --allowlist-file);
 *                  list_state_update, list_state_put_aside, list_state_dir_check (list_state.h:
 *                  the --persist state dir)
 *   counters       stats_read, stats_read_slot; metrics_collect, metrics_write
 *   flood defense  limits_maps_get, limits_from_conf, limits_apply, limits_read,
 *                  limit_stats_read (rate_limits.h); limits_config_read (limits_config.h:
 *                  --limit-* with --limits-file over them); bans_read, bans_catch_up,
 *                  bans_counted (bans.h); list_sweep
 *   watching       top_open, top_sample, top_view, top_close (top.h: rates, busiest entries)
 *   interfaces     attach_inspect, attach_with_libxdp, attach_replace_single,
 *                  attach_detach_ours, attach_remove_all (attach.h);
 *                  iface_status_read; iface_slots_assign, iface_slots_update
 *   migration      migrate_open_old, migrate_copy_entries, migrate_unpin_old, migrate_close
 *   capacity       capacity_apply, capacity_fill_read, capacity_target; capacity_resize (grow or
 *                  shrink the block maps of a running instance without a leak)
 *   messages       lib_error (a failed call's one line), lib_notice_set_handler, lib_report_fn
 *                  (lib_error.h): the library never prints; the front ends show all three
 *   words          action_name, reason_name, proto_name, time_format_mono, list_kind_name,
 *                  attach_mode_name, stats_format_line
 *
 * Inside the library only: map_batch.h (batch reads and writes under lists and migrate);
 * list_text.h (a list file's text, under set_files and list_state).
 */
#ifndef XDPFWD_INSTANCE_H
#define XDPFWD_INSTANCE_H

#include "lib_error.h"
#include "pinned.h"
#include "instance_lock.h"
#include "lists.h"
#include "stats.h"
#include "metrics.h"
#include "attach.h"
#include "iface_status.h"
#include "iface_slots.h"
#include "migrate.h"
#include "enum_names.h"
#include "time_format.h"
#include "rate_limits.h"
#include "bans.h"
#include "top.h"
#include "capacity.h"
#include "set_files.h"
#include "list_state.h"
#include "limits_config.h"

#endif
