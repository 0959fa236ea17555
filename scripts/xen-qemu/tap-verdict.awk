# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The xenguest authors
#
# Judge the TAP output of every domain in a Xen console log (run.sh).
#
#   awk -v ndomus=N [-v verbose=1] -f tap-verdict.awk LOG
#
# Lines may carry run.sh's "[   1.234] " time stamp. "(XEN) ..." lines
# are Xen's own; "(dN) ..." lines are domain N's (Xen prefixes a domU's
# console_io output); every other line is dom0's. Each of d0..dN must
# print a plan "1..K" and then exactly K "ok" lines, with no "not ok" and
# no "Bail out!". Prints one verdict per domain and a closing
# "P passed, F failed" (a planned test that never reported counts as
# failed); exits 1 if any domain failed.
# Xen writes dom0's console output in chunks of 128 bytes and a domU's
# whole buffered line between two of them, so a long dom0 line may come
# out as "<start>(dN) <domU line>" and "<rest>" on the next line. Such a
# line is split: the domU line is judged, the start is kept and glued to
# the next line, which carries the rest of dom0's line.
{
	line = $0
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", line)
	if (held != "") {
		line = held line
		held = ""
	}
	if (line ~ /^\(XEN\)/)
		next
	if (line !~ /^\(d[0-9]+\) / && match(line, /\(d[0-9]+\) /)) {
		held = substr(line, 1, RSTART - 1)
		judge(substr(line, RSTART))
		next
	}
	judge(line)
}

function judge(line,    dom) {
	dom = "d0"
	if (match(line, /^\(d[0-9]+\) /)) {
		dom = substr(line, 2, RLENGTH - 3)
		line = substr(line, RLENGTH + 1)
	}
	if (line ~ /^1\.\.[0-9]+$/) {
		plan[dom] = substr(line, 4) + 0
	} else if (line ~ /^ok [0-9]+/) {
		ok[dom]++
		if (verbose) print dom ": " line
	} else if (line ~ /^not ok [0-9]+/) {
		notok[dom]++
		print dom ": " line
	} else if (line ~ /^Bail out!/) {
		bail[dom] = 1
		print dom ": " line
	}
}
END {
	fail = 0
	for (d = 0; d <= ndomus; d++) {
		dom = "d" d
		verdict = "ok"
		if (!(dom in plan)) verdict = "FAIL (no TAP plan)"
		else if (notok[dom] > 0 || bail[dom]) verdict = "FAIL"
		else if (ok[dom] != plan[dom]) verdict = "FAIL (ran " ok[dom] + 0 " of " plan[dom] ")"
		if (verdict != "ok") fail = 1
		printf "%s: %d ok, %d not ok, plan %s: %s\n", dom, ok[dom], notok[dom],
			(dom in plan) ? plan[dom] : "none", verdict
		passed += ok[dom]; failed += notok[dom]
		missing += (dom in plan && plan[dom] > ok[dom] + notok[dom]) ? plan[dom] - ok[dom] - notok[dom] : 0
	}
	printf "%d passed, %d failed\n", passed, failed + missing
	exit fail
}
