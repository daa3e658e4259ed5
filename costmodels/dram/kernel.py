"""The command-level controller simulation, compiled with numba.

The loop is event driven: at each step it finds, over all banks, the earliest cycle at
which the next command of each bank's chosen request could legally issue (given every
timing constraint), and either issues the earliest of them (ties go to the oldest
request, DRAMSys' ``CmdMux: Oldest``) or first moves time to an earlier event (a
request arriving, a refresh falling due). Because commands issue in time order and each
is placed at its earliest legal cycle, the result equals a cycle-by-cycle simulation of
the same policies while costing a few hundred operations per request.

Units are clock cycles of the device. See ``simulator.py`` for the Python-facing call.
"""

from __future__ import annotations

import numpy as np

from dsegym.costmodels.dram.kernel_helpers import heap_pop, heap_push, njit, select

NEVER = -(10**12)  # "long ago": far enough that any timing constraint from it has passed
INF = 2**62

# Indices of the timing vector.
(CL, CWL, RCD_RD, RCD_WR, RP, RP_AB, RAS, RC, RRD_S, RRD_L, FAW, CCD_S, CCD_L, RTP, WR) = range(15)
(WTR_S, WTR_L, RTW, RFC, REFI, RFC_PB, REFI_PB, XP, CKE, BL2) = range(15, 25)
N_TIMING = 25

# Indices of the counters the kernel returns.
(C_ACT, C_PRE, C_RD, C_WR, C_REF_AB, C_REF_PB, C_ACTIVE, C_PD_ACT, C_PD_PRE, C_END) = range(10)
C_MISS = 10
N_COUNTERS = 11


@njit(cache=True)
def simulate(arrival, is_write, bank, row, n_banks, n_groups, tim, page_policy, scheduler,
             scheduler_buffer, buffer_size, refresh_policy, max_postponed, max_pulledin, arbiter,
             max_active, reorder, power_down):  # fmt: skip
    """Simulates one trace; returns (response cycle per request, counters)."""
    # Timings as locals: the compiler then keeps them in registers.
    t_ccd_l = tim[CCD_L]
    t_ccd_s = tim[CCD_S]
    t_cke = tim[CKE]
    t_cl = tim[CL]
    t_cwl = tim[CWL]
    t_faw = tim[FAW]
    t_ras = tim[RAS]
    t_rc = tim[RC]
    t_rcd_rd = tim[RCD_RD]
    t_rcd_wr = tim[RCD_WR]
    t_refi = tim[REFI]
    t_refi_pb = tim[REFI_PB]
    t_rfc = tim[RFC]
    t_rfc_pb = tim[RFC_PB]
    t_rp = tim[RP]
    t_rp_ab = tim[RP_AB]
    t_rrd_l = tim[RRD_L]
    t_rrd_s = tim[RRD_S]
    t_rtp = tim[RTP]
    t_rtw = tim[RTW]
    t_wr = tim[WR]
    t_wtr_l = tim[WTR_L]
    t_wtr_s = tim[WTR_S]
    t_xp = tim[XP]
    n = arrival.shape[0]
    nb, ng, bl2 = n_banks, n_groups, tim[BL2]
    # A bank's queue never holds more than the buffer it draws from (ReadWrite: both).
    qcap = 2 * buffer_size if scheduler_buffer == 1 else buffer_size
    queue = np.empty((nb, qcap), np.int64)
    qlen = np.zeros(nb, np.int64)
    n_buf, n_buf_wr = 0, 0
    sel = np.zeros(nb, np.int64)
    group_of = np.arange(nb) % ng  # a lookup: integer division is slow in the hot loop
    kind = np.zeros(nb, np.int64)  # next command per bank: 0 RD, 1 WR, 2 PRE, 3 ACT
    local = np.zeros(nb, np.int64)  # cycle the bank itself allows that command
    cand = np.zeros(nb, np.int64)  # cycle the bank's next command could issue
    stale = True
    ready_rd = np.zeros(ng, np.int64)
    ready_wr = np.zeros(ng, np.int64)
    ready_act = np.zeros(ng, np.int64)
    missed = np.zeros(n, np.bool_)  # an ACT was issued on the request's behalf
    dirty = np.ones(nb, np.bool_)
    open_row = np.full(nb, -1, np.int64)
    act_ready = np.zeros(nb, np.int64)
    rd_ready = np.zeros(nb, np.int64)
    wr_ready = np.zeros(nb, np.int64)
    pre_ready = np.zeros(nb, np.int64)
    last_col_g = np.full(ng, NEVER, np.int64)
    last_act_g = np.full(ng, NEVER, np.int64)
    wr_end_g = np.full(ng, NEVER, np.int64)
    faw = np.full(4, NEVER, np.int64)
    faw_i = 0
    last_col, last_act, wr_end, last_rd = NEVER, NEVER, NEVER, NEVER
    bus_free, last_cmd, pd_ready, ap_close_max = 0, -1, 0, 0
    counters = np.zeros(N_COUNTERS, np.int64)
    # Union of "some bank open or refreshing" intervals, merged online (starts come in
    # time order because commands do).
    blk_start, blk_end, n_open, active = 0, 0, 0, 0
    done = np.full(n, -1, np.int64)
    resp = np.full(n, -1, np.int64)
    heap = np.empty(n, np.int64)
    hsize, released, rp, last_resp = 0, 0, 0, 0
    if refresh_policy == 1:
        interval, slack_post, slack_pull = t_refi, max_postponed, max_pulledin
    else:
        interval, slack_post, slack_pull = t_refi_pb, max_postponed * nb, max_pulledin * nb
    ref_due = interval if refresh_policy != 0 else INF
    credit, ref_target, last_dir, pulling = 0, 0, 0, False
    now, nxt, issued = 0, 0, 0

    while issued < n:
        while hsize > 0 and heap[0] <= now:
            hsize = heap_pop(heap, hsize)
            released += 1
        # Front end: admit arrived requests in order while the buffers have room.
        t_adm = INF
        while nxt < n:
            if arbiter != 0 and nxt - released >= max_active:
                if hsize > 0:
                    t_adm = max(heap[0], arrival[nxt])
                break
            b, w = bank[nxt], is_write[nxt]
            if scheduler_buffer == 0:
                full = qlen[b] >= buffer_size
            elif scheduler_buffer == 1:
                full = (n_buf_wr if w else n_buf - n_buf_wr) >= buffer_size
            else:
                full = n_buf >= buffer_size
            if full:
                break
            if arrival[nxt] > now:
                t_adm = arrival[nxt]
                break
            queue[b, qlen[b]] = nxt
            qlen[b] += 1
            n_buf += 1
            n_buf_wr += w
            # A newcomer changes the bank's choice only if the queue was empty or it is a
            # row hit the scheduler prefers to the current choice.
            if qlen[b] == 1:
                dirty[b] = True
            elif scheduler != 0 and row[nxt] == open_row[b] and not dirty[b]:
                chosen_w = is_write[queue[b, sel[b]]]
                if kind[b] >= 2 or (scheduler == 2 and w == last_dir and chosen_w != last_dir):
                    dirty[b] = True
            nxt += 1

        # Refresh, as DRAMSys' flexible refresh: a due refresh is postponed while requests
        # wait (up to the limit); postponed ones are caught up when idle; right after a
        # due refresh, further ones are pulled in while the controller stays idle.
        refresh_now = False
        if refresh_policy != 0:
            if n_buf > 0:
                pulling = False
            while now >= ref_due:
                # A refresh pulled in earlier covers this one; or postpone it while busy.
                if credit > 0 or (n_buf > 0 and credit > -slack_post):
                    credit -= 1
                    ref_due += interval
                    pulling = False
                else:
                    refresh_now = True
                    break
            if not refresh_now and n_buf == 0 and (credit < 0 or (pulling and credit < slack_pull)):
                refresh_now = True
        if refresh_now:
            t = max(now, last_cmd + 1, pd_ready)
            banks_lo, banks_hi = (0, nb) if refresh_policy == 1 else (ref_target, ref_target + 1)
            t_pre, n_close = t, 0
            for b in range(banks_lo, banks_hi):
                if open_row[b] >= 0:
                    n_close += 1
                    t_pre = max(t_pre, pre_ready[b])
            t_ref = t
            if n_close > 0:  # PREA (or PRE of the one bank), counted per bank closed
                rp_time = t_rp_ab if refresh_policy == 1 else t_rp
                for b in range(banks_lo, banks_hi):
                    if open_row[b] >= 0:
                        open_row[b] = -1
                        act_ready[b] = max(act_ready[b], t_pre + rp_time)
                        dirty[b] = True
                counters[C_PRE] += n_close
                n_open -= n_close
                blk_end = max(blk_end, t_pre)
                last_cmd = t_pre
                t_ref = t_pre + 1
            for b in range(banks_lo, banks_hi):
                t_ref = max(t_ref, act_ready[b])
            length = t_rfc if refresh_policy == 1 else t_rfc_pb
            if n_open == 0 and t_ref >= blk_end:
                active += blk_end - blk_start
                blk_start = t_ref
            blk_end = max(blk_end, t_ref + length)
            for b in range(banks_lo, banks_hi):
                act_ready[b] = max(act_ready[b], t_ref + length)
                dirty[b] = True
            if refresh_policy == 1:
                counters[C_REF_AB] += 1
            else:
                counters[C_REF_PB] += 1
                ref_target = ref_target + 1 if ref_target + 1 < nb else 0
            if now >= ref_due:
                ref_due += interval
                pulling = True
            else:
                credit += 1
            last_cmd = t_ref
            now = t_ref
            stale = True
            continue

        t_event = min(t_adm, ref_due)
        if n_buf == 0:
            if t_event >= INF:
                break  # nothing can happen any more (cannot occur with a consistent trace)
            if power_down == 1:
                t_pd = max(now, bus_free, last_cmd + 1, ap_close_max)
                if t_event - t_pd > t_cke:
                    if n_open > 0:
                        counters[C_PD_ACT] += t_event - t_pd
                    else:
                        counters[C_PD_PRE] += t_event - t_pd
                    pd_ready = t_event + t_xp
            now = t_event
            continue

        # The earliest legal command over all banks (oldest request wins ties). A bank's
        # candidate cycle is cached: it changes only when the bank's state or queue does
        # (dirty) or when a command issues (stale: the rank-wide limits moved), so steps
        # that only admit requests recompute just the banks that received them.
        base = max(now, last_cmd + 1, pd_ready)
        if stale:
            for g in range(ng):
                col = max(last_col_g[g] + t_ccd_l, last_col + t_ccd_s)
                ready_rd[g] = max(col, wr_end_g[g] + t_wtr_l, wr_end + t_wtr_s, bus_free - t_cl)
                ready_wr[g] = max(col, last_rd + t_rtw, bus_free - t_cwl)
                ready_act[g] = max(last_act + t_rrd_s, last_act_g[g] + t_rrd_l, faw[faw_i] + t_faw)
        best_t, best_b, best_r = INF, -1, INF
        for b in range(nb):
            if qlen[b] == 0:
                continue
            fresh = stale
            if dirty[b]:
                sel[b] = select(queue, b, qlen[b], row, is_write, open_row[b], scheduler, last_dir)
                r = queue[b, sel[b]]
                if open_row[b] == row[r]:
                    kind[b] = 1 if is_write[r] else 0
                    local[b] = wr_ready[b] if is_write[r] else rd_ready[b]
                elif open_row[b] >= 0:
                    kind[b], local[b] = 2, pre_ready[b]
                else:
                    kind[b], local[b] = 3, act_ready[b]
                dirty[b] = False
                fresh = True
            if fresh:
                k, g = kind[b], group_of[b]
                if k == 0:
                    cand[b] = max(local[b], ready_rd[g])
                elif k == 1:
                    cand[b] = max(local[b], ready_wr[g])
                elif k == 2:
                    cand[b] = local[b]
                else:
                    cand[b] = max(local[b], ready_act[g])
            t = max(cand[b], base)
            if t <= best_t:
                r = queue[b, sel[b]]
                if t < best_t or r < best_r:
                    best_t, best_b, best_r = t, b, r
        stale = False
        if t_event < best_t:
            now = t_event
            continue

        t, b, r = best_t, best_b, best_r
        g = group_of[b]
        now = t
        last_cmd = t
        stale = True
        if open_row[b] == row[r]:  # RD or WR, possibly with auto-precharge
            pos = sel[b]
            for j in range(pos, qlen[b] - 1):
                queue[b, j] = queue[b, j + 1]
            qlen[b] -= 1
            n_buf -= 1
            w = is_write[r]
            n_buf_wr -= w
            if w:
                done[r] = t + t_cwl + bl2
                wr_end = done[r]
                wr_end_g[g] = done[r]
                pre_ready[b] = max(pre_ready[b], done[r] + t_wr)
                counters[C_WR] += 1
            else:
                done[r] = t + t_cl + bl2
                last_rd = t
                pre_ready[b] = max(pre_ready[b], t + t_rtp)
                counters[C_RD] += 1
            bus_free = done[r]
            last_col = t
            last_col_g[g] = t
            if scheduler == 2 and w != last_dir:
                dirty[:] = True
            last_dir = w
            issued += 1
            any_hit = False
            for j in range(qlen[b]):
                if row[queue[b, j]] == row[r]:
                    any_hit = True
                    break
            # Closed: always; ClosedAdaptive: unless a row hit waits; OpenAdaptive: only
            # if requests wait and all of them miss.
            others_wait = qlen[b] > 0
            if page_policy == 2 or (
                not any_hit and (page_policy == 3 or (page_policy == 1 and others_wait))
            ):
                t_pre = pre_ready[b]
                open_row[b] = -1
                act_ready[b] = max(act_ready[b], t_pre + t_rp)
                counters[C_PRE] += 1
                n_open -= 1
                blk_end = max(blk_end, t_pre)
                ap_close_max = max(ap_close_max, t_pre)
            if reorder == 0:
                resp[r] = done[r]
                if arbiter != 0:
                    hsize = heap_push(heap, hsize, done[r])
            else:
                while rp < n and done[rp] >= 0:
                    last_resp = max(last_resp, done[rp])
                    resp[rp] = last_resp
                    if arbiter != 0:
                        hsize = heap_push(heap, hsize, last_resp)
                    rp += 1
        elif open_row[b] >= 0:  # PRE
            open_row[b] = -1
            act_ready[b] = max(act_ready[b], t + t_rp)
            counters[C_PRE] += 1
            n_open -= 1
            blk_end = max(blk_end, t)
        else:  # ACT
            open_row[b] = row[r]
            act_ready[b] = t + t_rc
            rd_ready[b] = t + t_rcd_rd
            wr_ready[b] = t + t_rcd_wr
            pre_ready[b] = t + t_ras
            last_act = t
            last_act_g[g] = t
            faw[faw_i] = t
            faw_i = faw_i + 1 if faw_i < 3 else 0
            counters[C_ACT] += 1
            if not missed[r]:
                missed[r] = True
                counters[C_MISS] += 1
            if n_open == 0 and t >= blk_end:
                active += blk_end - blk_start
                blk_start = t
                blk_end = t
            n_open += 1
        dirty[b] = True

    end = 0
    for i in range(n):
        end = max(end, resp[i])
    if n_open > 0:
        blk_end = max(blk_end, end)
    active += max(0, min(blk_end, end) - blk_start)
    counters[C_ACTIVE] = active
    counters[C_END] = end
    return resp, counters
