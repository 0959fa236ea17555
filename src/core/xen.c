/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 The xenguest authors */
/*
 * Core bring-up: version and features, shared_info, per-vCPU vcpu_info,
 * the deferred-work queue and the emergency console.
 */
#include <xenguest/core.h>
#include <xenguest/error.h>
#include <xenguest/hypercall.h>

#include "../xg_abi.h"
#include "../xg_internal.h"

/*
 * vcpu_info is 64 bytes on x86 and 48 on arm. Slots are a cache line
 * apart so that no two CPUs' upcall flags share a line, and a slot never
 * crosses a page (Xen requires offset + size <= PAGE_SIZE).
 */
#define XG_VCPU_INFO_STRIDE 64u
#define XG_VCPU_INFO_PER_PAGE (XG_PAGE_SIZE / XG_VCPU_INFO_STRIDE)

_Static_assert(sizeof(struct vcpu_info) <= XG_VCPU_INFO_STRIDE,
	       "vcpu_info slot too small");

static int xg_xen_read_version(struct xg_xen *xen)
{
	struct xen_feature_info fi = { .submap_idx = 0 };
	long rc = xg_hc_xen_version(XENVER_version, NULL);

	if (rc < 0)
		return (int)rc;
	xen->version = (uint32_t)rc;
	rc = xg_hc_xen_version(XENVER_get_features, &fi);
	if (rc < 0)
		return (int)rc;
	xen->features = fi.submap;
	return 0;
}

static int xg_xen_map_shared_info(struct xg_xen *xen, void *page)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (xen_pfn_t)xg_port_virt_to_gfn(page),
	};
	long rc = xg_hc_memory_op(XENMEM_add_to_physmap, &xatp);

	if (rc < 0)
		return (int)rc;
	xen->shared_info = page;
	return 0;
}

static int xg_xen_register_vcpu_info(struct xg_xen *xen, unsigned cpu)
{
	struct xg_cpu *c = &xen->cpus[cpu];
	char *slot = (char *)xen->vcpu_info_pages + cpu * XG_VCPU_INFO_STRIDE;
	struct vcpu_register_vcpu_info reg = {
		.mfn = xg_port_virt_to_gfn(slot),
		.offset = (uint32_t)((uintptr_t)slot & (XG_PAGE_SIZE - 1)),
	};
	long rc = xg_hc_vcpu_op(VCPUOP_register_vcpu_info, c->vcpu_id, &reg);

	if (rc == XG_ENOSYS && c->vcpu_id < XEN_LEGACY_MAX_VCPUS) {
		/* A Xen without the call: use the legacy slot. */
		struct shared_info *s = xen->shared_info;

		slot = (char *)&s->vcpu_info[c->vcpu_id];
		rc = 0;
	}
	if (rc < 0) {
		xg_err("xenguest: vcpu_info for vCPU %u: %ld\n",
		       (unsigned)c->vcpu_id, rc);
		return (int)rc;
	}
	c->vcpu_info = slot;
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	return 0;
}

static int xg_xen_probe_fdt(struct xg_xen *xen, const struct xg_xen_config *cfg)
{
	int rc;

	if (cfg == NULL || cfg->fdt == NULL)
		return 0;
	rc = xg_fdt_probe(cfg->fdt, &xen->fdt);
	if (rc == 0)
		xen->have_fdt = true;
	return rc;
}

int xg_xen_init(struct xg_xen *xen, struct xg_cpu *cpus, unsigned ncpus,
		const struct xg_xen_config *cfg)
{
	void *si_page;
	unsigned i;
	int rc;

	if (xen == NULL || cpus == NULL || ncpus == 0 ||
	    xg_port_cpu_self() >= ncpus)
		return XG_EINVAL;
	xg_memset(xen, 0, sizeof(*xen));
	xen->cpus = cpus;
	xen->ncpus = ncpus;
	xg_port_lock_init(&xen->work_lock);
	for (i = 0; i < ncpus; i++)
		cpus[i] = (struct xg_cpu){ .vcpu_id = xg_port_cpu_vcpu_id(i) };

	rc = xg_xen_probe_fdt(xen, cfg);
	if (rc == 0)
		rc = xg_xen_read_version(xen);
	if (rc != 0)
		return rc;

	xen->vcpu_info_npages =
		(ncpus + XG_VCPU_INFO_PER_PAGE - 1) / XG_VCPU_INFO_PER_PAGE;
	xen->vcpu_info_pages = xg_port_page_alloc(xen->vcpu_info_npages);
	si_page = xg_port_page_alloc(1);
	if (xen->vcpu_info_pages == NULL || si_page == NULL) {
		rc = XG_ENOMEM;
		goto fail_pages;
	}
	rc = xg_xen_map_shared_info(xen, si_page);
	if (rc != 0)
		goto fail_pages;
	/* From here shared_info belongs to Xen: a failure leaves it in
	 * xen->shared_info for xg_xen_fini(), never back in the allocator
	 * while Xen may still write it. */
	rc = xg_xen_register_vcpu_info(xen, xg_port_cpu_self());
	if (rc != 0)
		return rc;
	xg_notice("xenguest: Xen %u.%u, features %#x%s\n",
		  (unsigned)(xen->version >> 16),
		  (unsigned)(xen->version & 0xffff), (unsigned)xen->features,
		  xg_xen_is_dom0(xen) ? ", dom0" : "");
	return 0;

fail_pages:
	if (si_page != NULL)
		xg_port_page_free(si_page, 1);
	if (xen->vcpu_info_pages != NULL)
		xg_port_page_free(xen->vcpu_info_pages, xen->vcpu_info_npages);
	xen->vcpu_info_pages = NULL;
	return rc;
}

void xg_xen_fini(struct xg_xen *xen)
{
	if (xen->shared_info != NULL)
		xg_port_page_free(xen->shared_info, 1);
	if (xen->vcpu_info_pages != NULL)
		xg_port_page_free(xen->vcpu_info_pages, xen->vcpu_info_npages);
	xen->shared_info = NULL;
	xen->vcpu_info_pages = NULL;
}

int xg_xen_cpu_init(struct xg_xen *xen)
{
	unsigned cpu = xg_port_cpu_self();

	if (cpu >= xen->ncpus || xen->vcpu_info_pages == NULL)
		return XG_EINVAL;
	if (xen->cpus[cpu].online)
		return 0;
	return xg_xen_register_vcpu_info(xen, cpu);
}

bool xg_xen_has_feature(const struct xg_xen *xen, unsigned feature)
{
	return feature < 32 && (xen->features & (1u << feature)) != 0;
}

bool xg_xen_is_dom0(const struct xg_xen *xen)
{
	return xg_xen_has_feature(xen, XENFEAT_dom0);
}

void xg_xen_work_queue(struct xg_xen *xen, struct xg_work *w,
		       uint64_t delay_ns)
{
	xg_port_irqstate_t st = xg_port_lock(&xen->work_lock);
	bool kick = !w->queued_;

	if (!w->queued_) {
		w->queued_ = true;
		w->due_ns_ = delay_ns ? xg_port_time_ns() + delay_ns : 0;
		w->next_ = NULL;
		if (xen->work_tail_ != NULL)
			xen->work_tail_->next_ = w;
		else
			xen->work_head_ = w;
		xen->work_tail_ = w;
	}
	xg_port_unlock(&xen->work_lock, st);
	if (kick)
		xg_port_worker_kick(delay_ns);
}

/* Put a not-yet-due item back; it keeps queued_ set throughout. */
static void xg_xen_work_requeue(struct xg_xen *xen, struct xg_work *w)
{
	xg_port_irqstate_t st = xg_port_lock(&xen->work_lock);

	w->next_ = NULL;
	if (xen->work_tail_ != NULL)
		xen->work_tail_->next_ = w;
	else
		xen->work_head_ = w;
	xen->work_tail_ = w;
	xg_port_unlock(&xen->work_lock, st);
}

/*
 * Detach the whole queue, then run what is due. While an item is off
 * the live queue its queued_ flag stays set, so an interrupt that queues
 * it again does nothing and cannot corrupt next_; the flag is cleared
 * just before fn runs, so fn may queue its own item again.
 */
void xg_xen_run_work(struct xg_xen *xen)
{
	xg_port_irqstate_t st = xg_port_lock(&xen->work_lock);
	struct xg_work *w = xen->work_head_, *next;
	uint64_t now = xg_port_time_ns(), wait = UINT64_MAX;

	xen->work_head_ = xen->work_tail_ = NULL;
	xg_port_unlock(&xen->work_lock, st);

	for (; w != NULL; w = next) {
		next = w->next_;
		if (w->due_ns_ > now) {
			if (w->due_ns_ - now < wait)
				wait = w->due_ns_ - now;
			xg_xen_work_requeue(xen, w);
			continue;
		}
		st = xg_port_lock(&xen->work_lock);
		w->queued_ = false;
		xg_port_unlock(&xen->work_lock, st);
		w->fn(w);
	}
	if (wait != UINT64_MAX)
		xg_port_worker_kick(wait);
}

int xg_console_write(const char *s, size_t len)
{
	long rc = xg_hc_console_io(CONSOLEIO_write, (unsigned int)len, s);

	return rc < 0 ? (int)rc : 0;
}
