/*
 * lsoe-sim run --timeline FILE.html / --timeline-svg FILE.svg: the sessions of a run over
 * virtual time.
 *
 * One row per link, two lanes per row: the link's a end (upper) and b end (lower), as
 * the engines reported them (w->log, from sim_session_event). A lane is green while
 * both ends are established, orange while only this end is; a red triangle marks each
 * session_down, its reason in the tooltip (the SVG <title>, shown on hover). Scheduled
 * events that touch a link (link_down/up/cut/heal, partitions, drop rules) are grey
 * ticks on its row, scheduled crashes and restarts black marks on the node's lanes,
 * and fault processes light red bands over the window they run in.
 *
 * A crash says nothing to the engine's peers (no event), so a crashed end's lane is
 * cut at the crash only for scheduled crashes; a random crash process's crashes are
 * not recorded, and there the lane runs on until that end's next event.
 *
 * The HTML is self-contained: inline CSS and an inline SVG, no script, no network
 * resource (inline SVG needs no namespace URL). Both outputs depend only on the run:
 * the same scenario and seed give the same bytes (no dates, no wall time).
 */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "world.h"

/* Geometry, in pixels. */
enum {
	PLOT_W = 900,         /* the time axis */
	ROW_H = 16,           /* one link */
	LANE_H = 5,           /* one end, two per row */
	AXIS_H = 28,          /* tick labels above the rows */
	LEGEND_H = 22,
	LINE_H = 16,          /* a header text line (standalone SVG) */
	MARGIN = 10,
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fputs("lsoe-sim: out of memory (timeline)\n", stderr);
		exit(1);
	}
	return p;
}

/* s escaped for XML/HTML text and attribute values. */
static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, out);
		}
	}
}

static void put_secs(FILE *out, uint64_t ns)
{
	char buf[LSOE_SECS_STRLEN];
	fputs(lsoe_fmt_seconds(buf, ns), out);
}

struct geom {
	uint64_t end;         /* virtual ns at the right edge */
	int x0;               /* left edge of the plot */
	int y0;               /* top of the first row */
	int width, height;
};

static double xof(const struct geom *g, uint64_t t)
{
	if (t > g->end)
		t = g->end;
	return g->x0 + (double)t * PLOT_W / (double)g->end;
}

static int row_y(const struct geom *g, size_t link) { return g->y0 + (int)link * ROW_H; }
static int lane_y(const struct geom *g, size_t link, int side) { return row_y(g, link) + 2 + side * (LANE_H + 2); }

/* A tick step in ns: 1, 2 or 5 times a power of ten, at most 10 ticks over the run. */
static uint64_t tick_step(uint64_t end)
{
	for (uint64_t p = 1;; p *= 10) {
		static const uint64_t m[] = { 1, 2, 5 };
		for (int i = 0; i < 3; i++)
			if (end / (m[i] * p) <= 10)
				return m[i] * p;
		if (p > UINT64_MAX / 100)
			return end;
	}
}

/* ---- the sessions of one link ---- */

struct change {
	uint64_t time;
	size_t order;         /* log index; scheduled crashes after the log at the same time */
	int side;
	bool up;
};

static int change_cmp(const void *pa, const void *pb)
{
	const struct change *a = pa, *b = pb;
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

/* Is node an end of the link? The side (0: a, 1: b), or -1. Both ends: 2. */
static int end_of(const struct sim_link_spec *ls, int node)
{
	if (ls->a == node && ls->b == node)
		return 2;
	return ls->a == node ? 0 : ls->b == node ? 1 : -1;
}

static void bar(FILE *out, const struct sim_world *w, const struct geom *g, size_t link, int side, uint64_t t0,
    uint64_t t1, bool both)
{
	const struct sim_link_spec *ls = &w->sc->links[link];
	const char *me = w->sc->nodes[side ? ls->b : ls->a].name, *peer = w->sc->nodes[side ? ls->a : ls->b].name;
	double x = xof(g, t0), wd = xof(g, t1) - x;
	if (wd < 0.5)
		wd = 0.5;
	fprintf(out, "<rect class=\"bar %s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\"><title>", both ? "both" : "half", x,
	    lane_y(g, link, side), wd, LANE_H);
	esc(out, SIM_LINK_NAME(w->sc, ls));
	fputs(": ", out);
	esc(out, me);
	fputs(" established", out);
	fputs(both ? " (" : " (not ", out);
	esc(out, peer);
	fputs(both ? " too) from " : ") from ", out);
	put_secs(out, t0);
	fputs(" to ", out);
	put_secs(out, t1);
	fputs(" s</title></rect>\n", out);
}

static void link_bars(FILE *out, const struct sim_world *w, const struct geom *g, size_t link, const size_t *idx,
    size_t nidx, struct change *ch)
{
	const struct sim_scenario *sc = w->sc;
	const struct sim_link_spec *ls = &sc->links[link];
	size_t n = 0;
	for (size_t k = 0; k < nidx; k++) {
		const struct sess_log *l = &w->log[idx[k]];
		ch[n++] = (struct change){ l->time, idx[k], l->side, l->up };
	}
	for (size_t e = 0; e < sc->nevents; e++) {
		const struct sim_event_spec *ev = &sc->events[e];
		int side = ev->kind == SE_CRASH ? end_of(ls, ev->node) : -1;
		for (int s = 0; s < 2; s++)
			if (side == s || side == 2)
				ch[n++] = (struct change){ ev->at, w->nlog + e, s, false };
	}
	qsort(ch, n, sizeof(*ch), change_cmp);
	bool up[2] = { false, false };
	uint64_t t0 = 0;
	for (size_t k = 0; k <= n; k++) {
		uint64_t t = k < n ? ch[k].time : g->end;
		if (t > t0)
			for (int s = 0; s < 2; s++)
				if (up[s])
					bar(out, w, g, link, s, t0, t, up[!s]);
		t0 = t;
		if (k < n)
			up[ch[k].side] = ch[k].up;
	}
}

/* ---- markers ---- */

static void down_marker(FILE *out, const struct sim_world *w, const struct geom *g, const struct sess_log *l)
{
	const struct sim_link_spec *ls = &w->sc->links[l->link];
	double x = xof(g, l->time);
	int y = lane_y(g, (size_t)l->link, l->side);
	fprintf(out, "<path class=\"down\" d=\"M%.2f %d h8 l-4 7 z\"><title>", x - 4, y - 1);
	esc(out, SIM_LINK_NAME(w->sc, ls));
	fputs(": session_down at ", out);
	put_secs(out, l->time);
	fputs(" s, reported by ", out);
	esc(out, w->sc->nodes[l->side ? ls->b : ls->a].name);
	fputs(": ", out);
	esc(out, lsoe_down_reason_name((enum lsoe_down_reason)l->reason));
	fputs("</title></path>\n", out);
}

static void node_marker(FILE *out, const struct sim_world *w, const struct geom *g, size_t link, int side,
    uint64_t t, const struct sim_event_spec *ev, bool restart)
{
	double x = xof(g, t);
	double y = lane_y(g, link, side) + LANE_H / 2.0;
	if (restart)
		fprintf(out, "<circle class=\"restart\" cx=\"%.2f\" cy=\"%.1f\" r=\"3.5\"><title>", x, y);
	else
		fprintf(out, "<path class=\"crash\" d=\"M%.2f %.1f l7 7 m0 -7 l-7 7\"><title>", x - 3.5, y - 3.5);
	esc(out, SIM_LINK_NAME(w->sc, &w->sc->links[link]));
	fputs(restart ? ": restart of " : ": crash of ", out);
	esc(out, w->sc->nodes[ev->node].name);
	fputs(" at ", out);
	put_secs(out, t);
	fputs(" s (scheduled", out);
	if (!restart && ev->restart_after) {
		fputs("; restarts after ", out);
		put_secs(out, ev->restart_after);
		fputs(" s", out);
	}
	fprintf(out, ")</title></%s>\n", restart ? "circle" : "path");
}

static const char *event_name(enum sim_event_kind k)
{
	switch (k) {
	case SE_LINK_DOWN: return "link_down";
	case SE_LINK_UP: return "link_up";
	case SE_LINK_CUT: return "link_cut";
	case SE_LINK_HEAL: return "link_heal";
	case SE_PARTITION: return "partition";
	case SE_HEAL: return "heal";
	case SE_DROP: return "drop";
	default: return "event";
	}
}

static void link_tick(FILE *out, const struct sim_world *w, const struct geom *g, size_t link,
    const struct sim_event_spec *ev)
{
	double x = xof(g, ev->at);
	fprintf(out, "<line class=\"ev\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"><title>", x, row_y(g, link), x,
	    row_y(g, link) + ROW_H);
	esc(out, SIM_LINK_NAME(w->sc, &w->sc->links[link]));
	fputs(": ", out);
	fputs(event_name(ev->kind), out);
	if (ev->kind == SE_DROP) {
		static const char *const dirs[] = { "a_to_b", "b_to_a", "both" };
		fprintf(out, " %s %s", ev->pdu >= 0 ? lsoe_pdu_type_name((unsigned)ev->pdu) : "?",
		    ev->dir >= 0 && ev->dir <= 2 ? dirs[ev->dir] : "?");
		if (ev->ack_of >= 0)
			fprintf(out, " (ACKs of %s)", lsoe_pdu_type_name((unsigned)ev->ack_of));
	}
	fputs(" at ", out);
	put_secs(out, ev->at);
	if (ev->kind == SE_DROP && ev->until != UINT64_MAX) {
		fputs(" s until ", out);
		put_secs(out, ev->until);
	}
	fputs(" s</title></line>\n", out);
}

static bool in_list(const int *v, size_t n, int x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void scheduled_marks(FILE *out, const struct sim_world *w, const struct geom *g)
{
	const struct sim_scenario *sc = w->sc;
	bool *parted = xcalloc(sc->nlinks, sizeof(*parted));
	for (size_t e = 0; e < sc->nevents; e++) {
		const struct sim_event_spec *ev = &sc->events[e];
		switch (ev->kind) {
		case SE_LINK_DOWN:
		case SE_LINK_UP:
		case SE_LINK_CUT:
		case SE_LINK_HEAL:
		case SE_DROP:
			if (ev->link >= 0 && (size_t)ev->link < sc->nlinks)
				link_tick(out, w, g, (size_t)ev->link, ev);
			break;
		case SE_PARTITION:
			for (size_t i = 0; i < sc->nlinks; i++) {
				const struct sim_link_spec *ls = &sc->links[i];
				if (in_list(ev->nodes, ev->nnodes, ls->a) != in_list(ev->nodes, ev->nnodes, ls->b)) {
					parted[i] = true;
					link_tick(out, w, g, i, ev);
				}
			}
			break;
		case SE_HEAL:
			for (size_t i = 0; i < sc->nlinks; i++)
				if (parted[i]) {
					parted[i] = false;
					link_tick(out, w, g, i, ev);
				}
			break;
		case SE_CRASH:
		case SE_RESTART:
			for (size_t i = 0; i < sc->nlinks; i++) {
				int side = end_of(&sc->links[i], ev->node);
				for (int s = 0; s < 2; s++) {
					if (side != s && side != 2)
						continue;
					node_marker(out, w, g, i, s, ev->at, ev, ev->kind == SE_RESTART);
					if (ev->kind == SE_CRASH && ev->restart_after && ev->at + ev->restart_after <= g->end)
						node_marker(out, w, g, i, s, ev->at + ev->restart_after, ev, true);
				}
			}
			break;
		default:
			break;
		}
	}
	free(parted);
}

/* Light bands over the window of each fault process, on the rows it can touch. */
static void process_bands(FILE *out, const struct sim_world *w, const struct geom *g)
{
	const struct sim_scenario *sc = w->sc;
	for (size_t p = 0; p < sc->nprocs; p++) {
		const struct sim_process_spec *pr = &sc->procs[p];
		uint64_t until = pr->until < g->end ? pr->until : g->end;
		if (pr->from >= until)
			continue;
		for (size_t i = 0; i < sc->nlinks; i++) {
			bool hit = pr->kind == SP_FLAP ? in_list(pr->targets, pr->ntargets, (int)i)
			                               : in_list(pr->targets, pr->ntargets, sc->links[i].a) ||
			        in_list(pr->targets, pr->ntargets, sc->links[i].b);
			if (!hit)
				continue;
			double x = xof(g, pr->from);
			fprintf(out, "<rect class=\"proc\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\"><title>", x, row_y(g, i),
			    xof(g, until) - x, ROW_H);
			esc(out, SIM_LINK_NAME(sc, &sc->links[i]));
			fputs(pr->kind == SP_FLAP ? ": flap process" : ": crash process", out);
			fputs(" from ", out);
			put_secs(out, pr->from);
			fputs(" to ", out);
			put_secs(out, until);
			fputs(" s (mean up ", out);
			put_secs(out, pr->mean_up);
			fputs(" s, mean down ", out);
			put_secs(out, pr->mean_down);
			fputs(" s)</title></rect>\n", out);
		}
	}
}

/* ---- the picture ---- */

static const char *const style =
    "text{font-family:monospace;font-size:11px;fill:#222}\n"
    ".hd{font-size:13px}.hd1{font-size:15px;font-weight:bold}\n"
    ".fail{fill:#b00}.pass{fill:#070}\n"
    ".stripe{fill:#f3f3f3}.grid{stroke:#ccc;stroke-width:1}\n"
    ".both{fill:#2ca02c}.half{fill:#ff7f0e}\n"
    ".down{fill:#d62728;stroke:#600;stroke-width:0.5}\n"
    ".crash{stroke:#000;stroke-width:2;fill:none}.restart{fill:#fff;stroke:#000;stroke-width:1.5}\n"
    ".ev{stroke:#777;stroke-width:3;stroke-opacity:0.6}\n"
    ".proc{fill:#d62728;fill-opacity:0.08}\n"
    ".bar:hover,.down:hover,.restart:hover{stroke:#000;stroke-width:1.5}.crash:hover,.ev:hover{stroke:#d00}\n"
    ".up{fill:#070}.notup{fill:#b00}\n";

static int header_lines(const struct sim_world *w)
{
	size_t shown = w->nfailures < 5 ? w->nfailures : 5;
	return 3 + (int)shown + (w->nfailures > shown);
}

static void stats_line(FILE *out, const struct sim_world *w, uint32_t sessions_expected)
{
	fprintf(out, "%zu nodes, %zu links, ", w->sc->nnodes, w->sc->nlinks);
	put_secs(out, w->end);
	fprintf(out, " virtual s, %llu events, %llu frames; sessions open at the end: %u of %u", (unsigned long long)w->st.events,
	    (unsigned long long)w->st.frames, sim_sessions_open(w), sessions_expected);
}

static void svg(FILE *out, const struct sim_world *w, uint32_t sessions_expected, bool standalone)
{
	const struct sim_scenario *sc = w->sc;
	size_t maxname = 4;
	for (size_t i = 0; i < sc->nlinks; i++)
		if (strlen(SIM_LINK_NAME(sc, &sc->links[i])) > maxname)
			maxname = strlen(SIM_LINK_NAME(sc, &sc->links[i]));
	struct geom g = { .end = w->end ? w->end : 1 };
	g.x0 = MARGIN + (int)maxname * 7 + 10;
	int head = standalone ? header_lines(w) * LINE_H + 8 : 0;
	g.y0 = MARGIN + head + LEGEND_H + AXIS_H;
	g.width = g.x0 + PLOT_W + 30;
	g.height = g.y0 + (int)sc->nlinks * ROW_H + AXIS_H + MARGIN;

	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"", out);
	else
		fputs("<svg", out);
	fprintf(out, " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", g.width, g.height, g.width, g.height);
	fputs("<style>\n", out);
	fputs(style, out);
	fputs("</style>\n", out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", g.width, g.height);

	/* Header (standalone only; the HTML has its own). */
	int y = MARGIN + LINE_H - 4;
	if (standalone) {
		fprintf(out, "<text class=\"hd1\" x=\"%d\" y=\"%d\">lsoe-sim timeline: ", MARGIN, y);
		esc(out, sc->name);
		fprintf(out, ", seed %llu</text>\n", (unsigned long long)w->seed);
		y += LINE_H;
		fprintf(out, "<text class=\"hd\" x=\"%d\" y=\"%d\">", MARGIN, y);
		stats_line(out, w, sessions_expected);
		fputs("</text>\n", out);
		y += LINE_H;
		fprintf(out, "<text class=\"hd %s\" x=\"%d\" y=\"%d\">expectations: %u passed, %zu failed</text>\n",
		    w->nfailures ? "fail" : "pass", MARGIN, y, w->passed, w->nfailures);
		size_t shown = w->nfailures < 5 ? w->nfailures : 5;
		for (size_t i = 0; i < shown; i++) {
			y += LINE_H;
			fprintf(out, "<text class=\"fail\" x=\"%d\" y=\"%d\">FAIL ", MARGIN + 10, y);
			esc(out, w->failures[i]);
			fputs("</text>\n", out);
		}
		if (w->nfailures > shown) {
			y += LINE_H;
			fprintf(out, "<text class=\"fail\" x=\"%d\" y=\"%d\">(and %zu more)</text>\n", MARGIN + 10, y,
			    w->nfailures - shown);
		}
	}

	/* Legend. */
	int ly = MARGIN + head + 6, lx = MARGIN;
	fprintf(out, "<rect class=\"both\" x=\"%d\" y=\"%d\" width=\"14\" height=\"%d\"/>", lx, ly + 2, LANE_H);
	fprintf(out, "<text x=\"%d\" y=\"%d\">both ends established</text>\n", lx + 18, ly + 9);
	lx += 18 + 22 * 7;
	fprintf(out, "<rect class=\"half\" x=\"%d\" y=\"%d\" width=\"14\" height=\"%d\"/>", lx, ly + 2, LANE_H);
	fprintf(out, "<text x=\"%d\" y=\"%d\">only this end</text>\n", lx + 18, ly + 9);
	lx += 18 + 14 * 7;
	fprintf(out, "<path class=\"down\" d=\"M%d %d h8 l-4 7 z\"/>", lx, ly + 1);
	fprintf(out, "<text x=\"%d\" y=\"%d\">session_down (hover: reason)</text>\n", lx + 12, ly + 9);
	lx += 12 + 29 * 7;
	fprintf(out, "<path class=\"crash\" d=\"M%d %d l7 7 m0 -7 l-7 7\"/>", lx, ly + 1);
	fprintf(out, "<circle class=\"restart\" cx=\"%d\" cy=\"%d\" r=\"3.5\"/>", lx + 14, ly + 5);
	fprintf(out, "<text x=\"%d\" y=\"%d\">crash, restart</text>\n", lx + 22, ly + 9);
	lx += 22 + 15 * 7;
	fprintf(out, "<line class=\"ev\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", lx + 3, ly, lx + 3, ly + 11);
	fprintf(out, "<text x=\"%d\" y=\"%d\">link event</text>\n", lx + 10, ly + 9);
	lx += 10 + 11 * 7;
	fprintf(out, "<rect class=\"proc\" x=\"%d\" y=\"%d\" width=\"14\" height=\"11\" style=\"fill-opacity:0.25\"/>", lx, ly);
	fprintf(out, "<text x=\"%d\" y=\"%d\">fault process</text>\n", lx + 18, ly + 9);

	/* Rows: stripes and names (an end's name in the tooltip, coloured by the state at the end). */
	for (size_t i = 0; i < sc->nlinks; i++) {
		const struct sim_link_spec *ls = &sc->links[i];
		if (i % 2)
			fprintf(out, "<rect class=\"stripe\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", MARGIN, row_y(&g, i),
			    g.x0 + PLOT_W - MARGIN, ROW_H);
		bool open = w->up[i][0] && w->up[i][1];
		fprintf(out, "<text class=\"%s\" x=\"%d\" y=\"%d\">", open ? "up" : "notup", MARGIN, row_y(&g, i) + ROW_H - 4);
		esc(out, SIM_LINK_NAME(w->sc, ls));
		fputs("<title>", out);
		esc(out, SIM_LINK_NAME(w->sc, ls));
		fputs(": upper lane ", out);
		esc(out, sc->nodes[ls->a].name);
		fputs(", lower lane ", out);
		esc(out, sc->nodes[ls->b].name);
		fputs(open ? "; open at the end" : "; not open at the end", out);
		fputs("</title></text>\n", out);
	}

	process_bands(out, w, &g);

	/* The time axis: grid lines, labels above and below the rows. */
	uint64_t step = tick_step(g.end);
	int top = g.y0 - 4, bottom = g.y0 + (int)sc->nlinks * ROW_H + 4;
	for (uint64_t t = 0; t <= g.end; t += step) {
		double x = xof(&g, t);
		fprintf(out, "<line class=\"grid\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>", x, top, x, bottom);
		for (int k = 0; k < 2; k++) {
			fprintf(out, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">", x, k ? bottom + 12 : top - 4);
			put_secs(out, t);
			fputs("</text>", out);
		}
		fputc('\n', out);
		if (g.end - t < step)
			break;
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">s</text>\n", g.x0 + PLOT_W + 24, top - 4);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">virtual time (s)</text>\n", g.x0 + PLOT_W, bottom + 24);

	/* Session bars, per link, from the log bucketed by link (the log is in time order). */
	size_t *start = xcalloc(sc->nlinks + 1, sizeof(*start)), *fill = xcalloc(sc->nlinks, sizeof(*fill));
	size_t *idx = xcalloc(w->nlog, sizeof(*idx));
	for (size_t k = 0; k < w->nlog; k++)
		start[w->log[k].link + 1]++;
	for (size_t i = 0; i < sc->nlinks; i++)
		start[i + 1] += start[i];
	for (size_t k = 0; k < w->nlog; k++) {
		size_t l = (size_t)w->log[k].link;
		idx[start[l] + fill[l]++] = k;
	}
	size_t maxch = 0;
	for (size_t i = 0; i < sc->nlinks; i++)
		if (start[i + 1] - start[i] > maxch)
			maxch = start[i + 1] - start[i];
	struct change *ch = xcalloc(maxch + 2 * sc->nevents, sizeof(*ch));
	for (size_t i = 0; i < sc->nlinks; i++)
		link_bars(out, w, &g, i, idx + start[i], start[i + 1] - start[i], ch);
	free(ch);
	free(idx);
	free(fill);
	free(start);

	scheduled_marks(out, w, &g);
	for (size_t k = 0; k < w->nlog; k++)
		if (!w->log[k].up)
			down_marker(out, w, &g, &w->log[k]);
	fputs("</svg>\n", out);
}

void sim_timeline_svg(const struct sim_world *w, uint32_t sessions_expected, FILE *out)
{
	svg(out, w, sessions_expected, true);
}

void sim_timeline_html(const struct sim_world *w, uint32_t sessions_expected, FILE *out)
{
	const struct sim_scenario *sc = w->sc;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>lsoe-sim timeline: ", out);
	esc(out, sc->name);
	fprintf(out, ", seed %llu</title>\n", (unsigned long long)w->seed);
	fputs("<style>\n"
	      "body{font-family:monospace;margin:1em;color:#222;background:#fff}\n"
	      "h1{font-size:1.3em;margin:0 0 .3em 0}p{margin:.2em 0}\n"
	      ".pass{color:#070}.fail{color:#b00}ul{margin:.2em 0 .6em 0}\n"
	      ".chart{overflow-x:auto}\n"
	      "</style>\n</head>\n<body>\n",
	    out);
	fputs("<h1>lsoe-sim timeline: ", out);
	esc(out, sc->name);
	fprintf(out, ", seed %llu</h1>\n<p>", (unsigned long long)w->seed);
	stats_line(out, w, sessions_expected);
	fputs("</p>\n", out);
	fprintf(out, "<p class=\"%s\">expectations: %u passed, %zu failed</p>\n", w->nfailures ? "fail" : "pass", w->passed,
	    w->nfailures);
	if (w->nfailures) {
		fputs("<ul>\n", out);
		for (size_t i = 0; i < w->nfailures; i++) {
			fputs("<li class=\"fail\">", out);
			esc(out, w->failures[i]);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("<p>One row per link: the upper lane is the link's first end, the lower lane its second. "
	      "Hover a bar, a marker or a link's name for details.</p>\n<div class=\"chart\">\n",
	    out);
	svg(out, w, sessions_expected, false);
	fputs("</div>\n</body>\n</html>\n", out);
}
