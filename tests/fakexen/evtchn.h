/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Fake hypervisor: event channels with Xen's semantics for both ABIs.
 *
 * Per domain: a port table (free, unbound, interdomain, VIRQ, IPI, PIRQ)
 * with the notify vCPU and FIFO priority of each port. 2-level delivery
 * writes shared_info's pending/mask bits and the vCPU's selector and
 * upcall_pending; FIFO delivery writes event words in the guest's event
 * array and links them on per-vCPU, per-priority queues whose heads and
 * READY bits live in the guest's control blocks, as Xen does.
 *
 * Delivery to a vCPU: the fake only sets evtchn_upcall_pending (and bumps
 * a per-vCPU kick counter). A test's vCPU thread runs a loop that calls
 * xg_evtchn_upcall() whenever its vcpu_info's evtchn_upcall_pending is
 * set and its hosted interrupt depth is 0 (fx_evtchn_vcpu_should_upcall),
 * which is what a CPU does when the interrupt line is raised. vCPUs are
 * host threads, so upcalls really race with binds, rebinds and unmasks
 * on other threads; hypercalls are serialised by the fake's lock.
 */
#ifndef FAKEXEN_EVTCHN_H
#define FAKEXEN_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include "fakexen.h"

/* Register the handlers (event_channel_op, hvm_op) and forget all event
 * state (call after fx_reset). */
void fx_evtchn_install(void);

/* Xen without the FIFO ABI (EVTCHNOP_init_control fails ENOSYS). */
void fx_evtchn_set_fifo_available(bool on);
/* Highest port + 1 the domain may allocate (default: the ABI's limit). */
void fx_evtchn_set_max_ports(struct fx_domain *d, uint32_t n);

/* Events Xen raises itself: VIRQs (per-vCPU ones on @vcpu; global ones
 * wherever they are bound) and physical IRQs. 0 or -errno. */
int fx_evtchn_inject_virq(struct fx_domain *d, unsigned vcpu, unsigned virq);
int fx_evtchn_inject_pirq(struct fx_domain *d, uint32_t pirq);

/* A peer domain's side of a connection, without running its kernel. */
int fx_evtchn_peer_alloc_unbound(struct fx_domain *d, domid_t remote,
				 uint32_t *port);
int fx_evtchn_peer_bind_interdomain(struct fx_domain *d, domid_t remote,
				    uint32_t remote_port, uint32_t *port);
int fx_evtchn_peer_send(struct fx_domain *d, uint32_t port);
/* A send that read the receiver's notify vCPU before a concurrent
 * EVTCHNOP_bind_vcpu changed it, delivered to @vcpu. Xen's evtchn_send
 * holds only the sender's channel lock while it reads notify_vcpu_id
 * and sets the event pending; bind_vcpu takes the receiver's event_lock:
 * nothing orders the two, so a send can land on the old vCPU after the
 * guest's rebind (and its unmask) returned. */
int fx_evtchn_peer_send_via(struct fx_domain *d, uint32_t port, unsigned vcpu);
int fx_evtchn_peer_close(struct fx_domain *d, uint32_t port);

/* What the fake knows about a port: state (EVTCHNSTAT_*), vCPU. */
unsigned fx_evtchn_port_state(struct fx_domain *d, uint32_t port);
unsigned fx_evtchn_port_vcpu(struct fx_domain *d, uint32_t port);
unsigned fx_evtchn_port_priority(struct fx_domain *d, uint32_t port);
bool fx_evtchn_is_fifo(struct fx_domain *d);
unsigned fx_evtchn_fifo_pages(struct fx_domain *d);
unsigned fx_evtchn_upcall_vector(struct fx_domain *d, unsigned vcpu);
/* Ports in use (not free). */
unsigned fx_evtchn_ports_in_use(struct fx_domain *d);

/* Should a vCPU loop run the upcall now? (upcall_pending && depth 0) */
bool fx_evtchn_vcpu_should_upcall(struct fx_domain *d, unsigned vcpu,
				  unsigned irq_depth);
/* Times the fake raised the upcall of a vCPU. */
unsigned long fx_evtchn_kicks(struct fx_domain *d, unsigned vcpu);

/* The domain was saved and restored: every port is closed (peers see
 * their end unbound), FIFO state and upcall vectors are gone. */
void fx_evtchn_restore(struct fx_domain *d);

/* Print what the fake knows about a port and its queues (debugging). */
void fx_evtchn_debug_port(struct fx_domain *d, uint32_t port);

#endif /* FAKEXEN_EVTCHN_H */
