/* bt-forest — a random-forest classifier, the source documents' second
 * CPU-bound task, written the way tree learners are: CART trees on Gini
 * impurity, each grown on a bootstrap sample to purity (or a minimum leaf
 * size), trying a random subset of sqrt(features) per split and the best
 * threshold of each by sorting the node's values; trees built in parallel
 * by pthreads; prediction by averaged class probability, as scikit-learn.
 *
 * It allocates as tree learners do, on purpose: every node is its own
 * malloc, every split mallocs its children's row lists and frees the
 * parent's, every node mallocs and frees its sort buffers — small and large
 * blocks from several threads at once, which is where the allocators of
 * glibc and musl differ. The sort is our own (not qsort), so the libcs
 * differ in their allocator, not in a sort routine.
 *
 * The same seed gives the same forest whatever the libc or thread count:
 * the data from the seed's stream 0, tree t from its own stream
 * wl_rng_seed2(seed, 1 + t), split scores from integer counts in a fixed
 * order, ties to the first feature tried. */
#include "wl.h"

#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char about[] =
	"A random forest (CART, Gini, bootstrap, sqrt(features) per split) trained and tested on randn data.";

static const struct wl_param params[] = {
	{ "samples", "100000", "rows of data (training plus held-out)" },
	{ "features", "100", "features per row (randn)" },
	{ "trees", "10", "trees in the forest" },
	{ "min-leaf", "1", "fewest rows in a leaf (1 grows trees to purity)" },
	{ "max-features", "sqrt", "features tried per split: sqrt, all, or a count" },
	{ "bootstrap", "yes", "grow each tree on a bootstrap sample (yes) or on all training rows (no)" },
	{ "data", "random", "labels: random (chance is 0.5) or learnable (a rule on 3 features, 5% noise)" },
	{ "test-fraction", "0.2", "share of rows held out for prediction and accuracy" },
	{ "seed", "42", "seed of the data and of every tree" },
	{ "threads", "auto", "threads building trees and predicting (a count or auto)" },
	{ NULL, NULL, NULL },
};

/* ---- Configuration ------------------------------------------------------- */

enum data_kind { DATA_RANDOM, DATA_LEARNABLE };

struct config {
	size_t samples, features, trees, min_leaf;
	size_t max_features; /* resolved from max_features_text once features is known */
	const char *max_features_text;
	int bootstrap;
	enum data_kind data;
	double test_fraction;
	uint64_t seed;
	int threads;
};

/* Learnable labels flip with this probability: accuracy cannot pass 0.95. */
#define LABEL_NOISE 0.05

/* ---- Data ---------------------------------------------------------------- */

/* Features are kept column by column (x[f * rows + i]) as float, as
 * scikit-learn trains on float32: a node's values of one feature are read
 * in ascending row order. Rows [0, train) train; [train, rows) are held out. */
struct dataset {
	size_t rows, features, train;
	float *x;
	uint8_t *y;
};

/* Label of a row of the learnable kind: a fixed rule on three features,
 * one a tree can learn (as a depth-2 tree would draw it). */
static uint8_t learnable_label(const double *row)
{
	return row[0] > 0 ? row[1] > -0.5 : row[2] > 0.5;
}

/* Fills ds from the seed's stream 0: row by row, its features (standard normal) then
 * its label, as numpy's randn(rows, features) would be laid out. */
static void generate_data(struct dataset *ds, const struct config *cfg)
{
	size_t n = cfg->samples, nf = cfg->features;
	ds->rows = n;
	ds->features = nf;
	ds->train = n - (size_t)llround((double)n * cfg->test_fraction);
	ds->x = wl_malloc(wl_mul(wl_mul(n, nf), sizeof *ds->x));
	ds->y = wl_malloc(n);
	double *row = wl_malloc(wl_mul(nf, sizeof *row));
	struct wl_rng rng;
	wl_rng_seed(&rng, cfg->seed);
	for (size_t i = 0; i < n; i++) {
		for (size_t f = 0; f < nf; f++) {
			row[f] = wl_rng_normal(&rng);
			/* + 0.0f: a -0 would sort apart from +0 by its bits. */
			ds->x[f * n + i] = (float)row[f] + 0.0f;
		}
		if (cfg->data == DATA_LEARNABLE) {
			uint8_t label = learnable_label(row);
			ds->y[i] = wl_rng_uniform(&rng) < LABEL_NOISE ? !label : label;
		} else {
			ds->y[i] = (uint8_t)(wl_rng_next(&rng) >> 63);
		}
	}
	free(row);
}

static void free_data(struct dataset *ds)
{
	free(ds->x);
	free(ds->y);
}

/* ---- Sorting a node's values ----------------------------------------------
 * A node's values of one feature are sorted as 64-bit items: the float in
 * an order-preserving 32-bit code (high half) and the row's payload
 * (bootstrap count << 1 | label, low half). Only the high half matters to
 * the split search. */

static inline uint32_t float_code(float v)
{
	uint32_t u;
	memcpy(&u, &v, sizeof u);
	return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

static inline float code_float(uint32_t c)
{
	uint32_t u = (c & 0x80000000u) ? c & 0x7fffffffu : ~c;
	float v;
	memcpy(&v, &u, sizeof v);
	return v;
}

static void insertion_sort(uint64_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t v = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static void sift_down(uint64_t *a, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		uint64_t t = a[root];
		a[root] = a[child];
		a[child] = t;
	}
}

static void heap_sort(uint64_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint64_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

static inline uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	if (a > b) {
		uint64_t t = a;
		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

/* Quicksort bounded by a depth budget (then heapsort), insertion sort for
 * short runs: O(n log n) whatever the input. */
static void intro_sort(uint64_t *a, size_t n, int budget)
{
	while (n > 24) {
		if (budget-- == 0) {
			heap_sort(a, n);
			return;
		}
		uint64_t pivot = median3(a[0], a[n / 2], a[n - 1]);
		size_t i = 0, j = n - 1;
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			uint64_t t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		/* [0, j] <= pivot <= [j+1, n): recurse on the smaller side. */
		size_t left = j + 1;
		if (left < n - left) {
			intro_sort(a, left, budget);
			a += left;
			n -= left;
		} else {
			intro_sort(a + left, n - left, budget);
			n = left;
		}
	}
	insertion_sort(a, n);
}

/* Least-significant-digit radix sort on the high 32 bits, 8 bits a pass,
 * skipping digits all items share. Returns where the sorted items are (a or
 * tmp, both n long). */
static uint64_t *radix_sort_high(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t count[4][256] = { { 0 } };
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 4; d++)
			count[d][(a[i] >> (32 + 8 * d)) & 0xff]++;
	for (int d = 0; d < 4; d++) {
		size_t *c = count[d], sum = 0;
		if (c[(a[0] >> (32 + 8 * d)) & 0xff] == n)
			continue; /* one bucket: the pass would not move anything */
		for (int b = 0; b < 256; b++) {
			size_t k = c[b];
			c[b] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			tmp[c[(a[i] >> (32 + 8 * d)) & 0xff]++] = a[i];
		uint64_t *t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

/* Below this many items a comparison sort beats four radix passes (training
 * time measured flat from 64 to 256 items on the benchmark data). */
#define RADIX_MIN 128

/* Sorts n items by their high half; tmp (n long) is needed from RADIX_MIN
 * items on. Returns where the sorted items are. */
static uint64_t *sort_items(uint64_t *a, uint64_t *tmp, size_t n)
{
	if (n >= RADIX_MIN)
		return radix_sort_high(a, tmp, n);
	int budget = 0;
	for (size_t m = n; m > 1; m >>= 1)
		budget += 2;
	intro_sort(a, n, budget);
	return a;
}

/* ---- Trees ---------------------------------------------------------------- */

/* A node, one malloc each. A leaf has feature -1 and the share of class 1
 * among its (bootstrap-weighted) rows; a split sends x[feature] <= threshold
 * left. A split node owns its two children. */
struct node {
	int32_t feature;
	float threshold;
	float p1;
	struct node *left, *right;
};

/* The state of growing one tree (one thread). */
struct grower {
	const struct dataset *ds;
	const struct config *cfg;
	struct wl_rng rng;
	uint32_t *payload; /* per training row: bootstrap count << 1 | label */
	uint32_t *order;   /* the features, reshuffled at every node */
	size_t nodes, leaves;
	unsigned depth_max;
};

/* A node still to grow, with the rows that reached it (ascending; owned). */
struct pending {
	struct node *node;
	uint32_t *rows;
	size_t n;
	unsigned depth;
};

/* The nodes still to grow, last in first out (depth first, so it holds
 * about two nodes per level). Owns its array, not the rows of its items. */
struct todo {
	struct pending *items;
	size_t n, cap;
};

static void todo_push(struct todo *t, struct pending p)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->items = realloc(t->items, wl_mul(t->cap, sizeof *t->items));
		if (!t->items)
			wl_fail("out of memory (a tree's list of nodes to grow)");
	}
	t->items[t->n++] = p;
}

struct split {
	double score;
	int32_t feature;
	float threshold;
	size_t left_rows;
};

static inline uint64_t weight_of(uint32_t payload)
{
	return payload >> 1;
}

/* Gini's proxy (what the best split maximises; the weighted impurity
 * decrease up to constants): sum over children of sum_k count_k^2 / count. */
static inline double gini_proxy(uint64_t wl, uint64_t cl, uint64_t wr, uint64_t cr)
{
	double l0 = (double)(wl - cl), l1 = (double)cl, r0 = (double)(wr - cr), r1 = (double)cr;
	return (l0 * l0 + l1 * l1) / (double)wl + (r0 * r0 + r1 * r1) / (double)wr;
}

/* Scans sorted items for the best split of one feature between distinct
 * values that leaves min_leaf rows on each side; updates best when a split
 * scores strictly higher (so ties go to the feature tried first). */
static void scan_feature(const uint64_t *items, size_t n, uint64_t w, uint64_t c1, size_t min_leaf,
			 int32_t feature, struct split *best)
{
	uint64_t wl = 0, cl = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		uint32_t p = (uint32_t)items[i];
		wl += weight_of(p);
		cl += weight_of(p) * (p & 1);
		if ((items[i] >> 32) == (items[i + 1] >> 32) || i + 1 < min_leaf)
			continue;
		if (n - (i + 1) < min_leaf)
			break;
		double score = gini_proxy(wl, cl, w - wl, c1 - cl);
		if (score > best->score) {
			float a = code_float((uint32_t)(items[i] >> 32)), b = code_float((uint32_t)(items[i + 1] >> 32));
			float mid = (float)((double)a / 2 + (double)b / 2);
			best->score = score;
			best->feature = feature;
			best->threshold = mid < b ? mid : a; /* rounding must not reach b */
			best->left_rows = i + 1;
		}
	}
}

/* The best split of a node of n rows (bootstrap weight w, c1 of class 1):
 * features in a fresh random order until max_features non-constant ones are
 * tried. Returns 0 when no feature can split the node. The sort buffers are
 * the node's own (malloc'd here, freed here). */
static int find_split(struct grower *g, const uint32_t *rows, size_t n, uint64_t w, uint64_t c1,
		      struct split *best)
{
	const struct dataset *ds = g->ds;
	size_t nf = ds->features, tried = 0;
	uint64_t *items = wl_malloc(wl_mul(n, sizeof *items));
	uint64_t *tmp = n >= RADIX_MIN ? wl_malloc(wl_mul(n, sizeof *tmp)) : NULL;
	best->score = -1;
	best->feature = -1;
	for (size_t k = 0; k < nf && tried < g->cfg->max_features; k++) {
		size_t j = k + (size_t)wl_rng_below(&g->rng, nf - k);
		uint32_t f = g->order[j];
		g->order[j] = g->order[k];
		g->order[k] = f;
		const float *col = ds->x + (size_t)f * ds->rows;
		uint32_t lo = UINT32_MAX, hi = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t code = float_code(col[rows[i]]);
			lo = code < lo ? code : lo;
			hi = code > hi ? code : hi;
			items[i] = (uint64_t)code << 32 | g->payload[rows[i]];
		}
		if (lo == hi)
			continue; /* constant here: does not count as tried */
		tried++;
		scan_feature(sort_items(items, tmp, n), n, w, c1, g->cfg->min_leaf, (int32_t)f, best);
	}
	free(tmp);
	free(items);
	return best->feature >= 0;
}

static struct node *new_node(void)
{
	struct node *nd = wl_malloc(sizeof *nd);
	nd->feature = -1;
	nd->threshold = 0;
	nd->p1 = 0;
	nd->left = nd->right = NULL;
	return nd;
}

/* Splits p's rows into two new row lists (order kept) and frees p's. */
static void partition_rows(const struct grower *g, struct pending *p, const struct split *s,
			   struct pending *left, struct pending *right)
{
	const float *col = g->ds->x + (size_t)s->feature * g->ds->rows;
	left->n = s->left_rows;
	right->n = p->n - s->left_rows;
	left->rows = wl_malloc(wl_mul(left->n, sizeof *left->rows));
	right->rows = wl_malloc(wl_mul(right->n, sizeof *right->rows));
	size_t nl = 0, nr = 0;
	for (size_t i = 0; i < p->n; i++) {
		uint32_t r = p->rows[i];
		if (col[r] <= s->threshold && nl < left->n)
			left->rows[nl++] = r;
		else if (nr < right->n)
			right->rows[nr++] = r;
	}
	if (nl != left->n || nr != right->n)
		wl_fail("internal error: a split of %zu rows sent %zu left, expected %zu", p->n, nl, left->n);
	free(p->rows);
	p->rows = NULL;
	left->depth = right->depth = p->depth + 1;
}

/* Grows one pending node: a leaf (rows freed) or a split whose two children
 * go on the todo list (they take the rows). */
static void grow_node(struct grower *g, struct pending *p, struct todo *todo)
{
	uint64_t w = 0, c1 = 0;
	for (size_t i = 0; i < p->n; i++) {
		uint32_t pay = g->payload[p->rows[i]];
		w += weight_of(pay);
		c1 += weight_of(pay) * (pay & 1);
	}
	g->nodes++;
	struct split s;
	if (c1 == 0 || c1 == w || p->n < 2 * g->cfg->min_leaf || !find_split(g, p->rows, p->n, w, c1, &s)) {
		p->node->p1 = (float)((double)c1 / (double)w);
		g->leaves++;
		g->depth_max = p->depth > g->depth_max ? p->depth : g->depth_max;
		free(p->rows);
		return;
	}
	struct pending left = { new_node(), NULL, 0, 0 }, right = { new_node(), NULL, 0, 0 };
	partition_rows(g, p, &s, &left, &right);
	p->node->feature = s.feature;
	p->node->threshold = s.threshold;
	p->node->left = left.node;
	p->node->right = right.node;
	todo_push(todo, right);
	todo_push(todo, left);
}

/* The rows a tree grows on: a bootstrap sample of the training rows (drawn
 * with replacement; a row drawn k times weighs k) or all of them once.
 * Fills g->payload and returns the rows drawn at least once, ascending. */
static uint32_t *draw_rows(struct grower *g, size_t *n_out)
{
	size_t train = g->ds->train, n = 0;
	uint32_t *count = wl_calloc(train, sizeof *count);
	if (g->cfg->bootstrap)
		for (size_t i = 0; i < train; i++)
			count[wl_rng_below(&g->rng, train)]++;
	else
		for (size_t i = 0; i < train; i++)
			count[i] = 1;
	uint32_t *rows = wl_malloc(wl_mul(train, sizeof *rows));
	for (size_t i = 0; i < train; i++) {
		g->payload[i] = count[i] << 1 | g->ds->y[i];
		if (count[i])
			rows[n++] = (uint32_t)i;
	}
	free(count);
	*n_out = n;
	return rows;
}

struct tree_stats {
	size_t nodes, leaves;
	unsigned depth_max;
};

/* Grows tree number index, depth first, from its own random stream (1 +
 * index: stream 0 drew the data). */
static struct node *grow_tree(const struct dataset *ds, const struct config *cfg, size_t index,
			      struct tree_stats *st)
{
	struct grower g = { .ds = ds, .cfg = cfg };
	wl_rng_seed2(&g.rng, cfg->seed, 1 + (uint64_t)index);
	g.payload = wl_malloc(wl_mul(ds->train, sizeof *g.payload));
	g.order = wl_malloc(wl_mul(ds->features, sizeof *g.order));
	for (size_t f = 0; f < ds->features; f++)
		g.order[f] = (uint32_t)f;
	struct todo todo = { NULL, 0, 0 };
	struct pending first = { .node = new_node(), .depth = 0 };
	first.rows = draw_rows(&g, &first.n);
	struct node *root = first.node;
	todo_push(&todo, first);
	while (todo.n > 0) {
		struct pending p = todo.items[--todo.n];
		grow_node(&g, &p, &todo);
	}
	free(todo.items);
	free(g.order);
	free(g.payload);
	st->nodes = g.nodes;
	st->leaves = g.leaves;
	st->depth_max = g.depth_max;
	return root;
}

/* Frees a tree without recursion or a stack (a tree may be as deep as it
 * has rows): rotate left children up until a node has none, then free it
 * and go right. Each rotation lifts one node, so this ends in O(nodes). */
static void free_tree(struct node *nd)
{
	while (nd) {
		struct node *l = nd->left;
		if (l) {
			nd->left = l->right;
			l->right = nd;
			nd = l;
		} else {
			struct node *r = nd->right;
			free(nd);
			nd = r;
		}
	}
}

/* ---- The forest, trained and used in parallel ---------------------------- */

struct forest {
	size_t trees;
	struct node **root;       /* root[i]: tree i, owned */
	struct tree_stats *stats; /* per tree */
};

/* Trees go to whichever thread asks next; tree i is the same tree whoever
 * grows it, and lands in slot i. */
struct train_job {
	const struct dataset *ds;
	const struct config *cfg;
	struct forest *fo;
	atomic_size_t next;
};

static void *train_worker(void *arg)
{
	struct train_job *job = arg;
	for (;;) {
		size_t t = atomic_fetch_add(&job->next, 1);
		if (t >= job->fo->trees)
			return NULL;
		job->fo->root[t] = grow_tree(job->ds, job->cfg, t, &job->fo->stats[t]);
	}
}

/* Runs fn on each of n args (stride bytes apart), one thread each, and
 * waits for all. */
static void run_threads(size_t n, void *(*fn)(void *), void *args, size_t stride)
{
	pthread_t *tid = wl_malloc(wl_mul(n, sizeof *tid));
	for (size_t i = 0; i < n; i++)
		if (pthread_create(&tid[i], NULL, fn, (char *)args + i * stride) != 0)
			wl_fail("cannot start thread %zu of %zu", i + 1, n);
	for (size_t i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	free(tid);
}

static void train_forest(struct forest *fo, const struct dataset *ds, const struct config *cfg)
{
	fo->trees = cfg->trees;
	fo->root = wl_calloc(fo->trees, sizeof *fo->root);
	fo->stats = wl_calloc(fo->trees, sizeof *fo->stats);
	struct train_job job = { .ds = ds, .cfg = cfg, .fo = fo };
	atomic_init(&job.next, 0);
	size_t nthreads = (size_t)cfg->threads < fo->trees ? (size_t)cfg->threads : fo->trees;
	/* Every thread shares the one job: a stride of 0. */
	run_threads(nthreads, train_worker, &job, 0);
}

static void free_forest(struct forest *fo)
{
	for (size_t t = 0; t < fo->trees; t++)
		free_tree(fo->root[t]);
	free(fo->root);
	free(fo->stats);
}

/* Class-1 probability of one row by one tree. */
static float tree_p1(const struct node *nd, const struct dataset *ds, size_t row)
{
	while (nd->feature >= 0)
		nd = ds->x[(size_t)nd->feature * ds->rows + row] <= nd->threshold ? nd->left : nd->right;
	return nd->p1;
}

/* A slice of the held-out rows for one thread. */
struct predict_job {
	const struct dataset *ds;
	const struct forest *fo;
	size_t begin, end;
	size_t correct;
};

/* Predicts class 1 where the trees' mean probability of it is above one
 * half (a tie goes to class 0, as argmax in scikit-learn). Tree by tree over
 * the whole slice, so one tree stays in cache while it is used (row-major
 * blocks of rows walking every tree were 3x slower here); each row still
 * sums the trees in their order, so every thread count gives the same
 * answer. */
static void *predict_worker(void *arg)
{
	struct predict_job *job = arg;
	const struct forest *fo = job->fo;
	size_t n = job->end - job->begin;
	double *sum = wl_calloc(n, sizeof *sum);
	for (size_t t = 0; t < fo->trees; t++)
		for (size_t i = 0; i < n; i++)
			sum[i] += tree_p1(fo->root[t], job->ds, job->begin + i);
	size_t correct = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t predicted = 2 * sum[i] > (double)fo->trees;
		correct += predicted == job->ds->y[job->begin + i];
	}
	free(sum);
	job->correct = correct;
	return NULL;
}

/* Held-out accuracy: the share of rows [train, rows) predicted right. */
static double predict_accuracy(const struct forest *fo, const struct dataset *ds, int threads)
{
	size_t n = ds->rows - ds->train;
	size_t nthreads = (size_t)threads < n ? (size_t)threads : n;
	struct predict_job *jobs = wl_calloc(nthreads, sizeof *jobs);
	for (size_t i = 0; i < nthreads; i++) {
		jobs[i].ds = ds;
		jobs[i].fo = fo;
		jobs[i].begin = ds->train + n * i / nthreads;
		jobs[i].end = ds->train + n * (i + 1) / nthreads;
	}
	run_threads(nthreads, predict_worker, jobs, sizeof *jobs);
	size_t correct = 0;
	for (size_t i = 0; i < nthreads; i++)
		correct += jobs[i].correct;
	free(jobs);
	return (double)correct / (double)n;
}

/* ---- Options -------------------------------------------------------------- */

enum opt_id {
	OPT_SAMPLES = 256,
	OPT_FEATURES,
	OPT_TREES,
	OPT_MIN_LEAF,
	OPT_MAX_FEATURES,
	OPT_BOOTSTRAP,
	OPT_DATA,
	OPT_TEST_FRACTION,
	OPT_SEED,
	OPT_THREADS,
	OPT_HELP,
	OPT_DESCRIBE,
};

/* --max-features once --features is known: sqrt (at least 1), all, or a
 * count no larger than the features. */
static size_t resolve_max_features(const char *text, size_t features)
{
	if (strcmp(text, "sqrt") == 0) {
		size_t k = (size_t)sqrt((double)features);
		return k ? k : 1;
	}
	if (strcmp(text, "all") == 0)
		return features;
	long long k = wl_opt_ll("--max-features", text, 1, 1000000);
	if ((size_t)k > features)
		wl_usage_error("--max-features %lld is more than the %zu features; give at most %zu, 'sqrt' or 'all'",
			       k, features, features);
	return (size_t)k;
}

/* Checks what single options cannot: the held-out share must leave rows on
 * both sides. */
static void check_config(struct config *cfg)
{
	if (!(cfg->test_fraction > 0 && cfg->test_fraction < 1))
		wl_usage_error("--test-fraction takes a share strictly between 0 and 1, not %g", cfg->test_fraction);
	size_t test = (size_t)llround((double)cfg->samples * cfg->test_fraction);
	if (test < 1 || cfg->samples - test < 2)
		wl_usage_error("--test-fraction %g of %zu samples leaves %zu held-out and %zu training rows, "
			       "where at least 1 and 2 are needed",
			       cfg->test_fraction, cfg->samples, test, cfg->samples - test);
	cfg->max_features = resolve_max_features(cfg->max_features_text, cfg->features);
}

static void parse_options(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "features", required_argument, NULL, OPT_FEATURES },
		{ "trees", required_argument, NULL, OPT_TREES },
		{ "min-leaf", required_argument, NULL, OPT_MIN_LEAF },
		{ "max-features", required_argument, NULL, OPT_MAX_FEATURES },
		{ "bootstrap", required_argument, NULL, OPT_BOOTSTRAP },
		{ "data", required_argument, NULL, OPT_DATA },
		{ "test-fraction", required_argument, NULL, OPT_TEST_FRACTION },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "describe", no_argument, NULL, OPT_DESCRIBE },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	opterr = 0; /* our own message, in one sentence */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SAMPLES: cfg->samples = (size_t)wl_opt_ll("--samples", optarg, 3, 1000000000); break;
		case OPT_FEATURES: cfg->features = (size_t)wl_opt_ll("--features", optarg, 1, 1000000); break;
		case OPT_TREES: cfg->trees = (size_t)wl_opt_ll("--trees", optarg, 1, 100000); break;
		case OPT_MIN_LEAF: cfg->min_leaf = (size_t)wl_opt_ll("--min-leaf", optarg, 1, 1000000000); break;
		case OPT_MAX_FEATURES: cfg->max_features_text = optarg; break;
		case OPT_BOOTSTRAP:
			if (strcmp(optarg, "yes") && strcmp(optarg, "no"))
				wl_usage_error("--bootstrap takes yes or no, not '%s'", optarg);
			cfg->bootstrap = strcmp(optarg, "yes") == 0;
			break;
		case OPT_DATA:
			if (strcmp(optarg, "random") && strcmp(optarg, "learnable"))
				wl_usage_error("--data takes random or learnable, not '%s'", optarg);
			cfg->data = strcmp(optarg, "learnable") == 0 ? DATA_LEARNABLE : DATA_RANDOM;
			break;
		case OPT_TEST_FRACTION: cfg->test_fraction = wl_opt_double("--test-fraction", optarg, 0, 1); break;
		case OPT_SEED: cfg->seed = (uint64_t)wl_opt_ll("--seed", optarg, 0, INT64_MAX); break;
		case OPT_THREADS: cfg->threads = wl_opt_threads("--threads", optarg, 1024); break;
		case OPT_HELP: wl_print_help(about, params); exit(0);
		case OPT_DESCRIBE: wl_print_describe("forest", about, params); exit(0);
		case ':': wl_usage_error("%s needs a value", argv[optind - 1]);
		default: wl_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		wl_usage_error("unexpected argument '%s' (every parameter is --NAME VALUE)", argv[optind]);
	check_config(cfg);
}

/* ---- Main ----------------------------------------------------------------- */

static void report(const struct config *cfg, const struct dataset *ds, const struct forest *fo, double accuracy,
		   double train_s, double predict_s)
{
	size_t nodes = 0, leaves = 0;
	unsigned depth = 0;
	for (size_t t = 0; t < fo->trees; t++) {
		nodes += fo->stats[t].nodes;
		leaves += fo->stats[t].leaves;
		depth = fo->stats[t].depth_max > depth ? fo->stats[t].depth_max : depth;
	}
	char text[160];
	snprintf(text, sizeof text, "%zu x %zu randn, %s labels; %zu rows train, %zu held out", ds->rows,
		 ds->features, cfg->data == DATA_LEARNABLE ? "learnable" : "random", ds->train, ds->rows - ds->train);
	wl_info("data", text);
	wl_metric("train_time", train_s, "s");
	wl_metric("predict_time", predict_s, "s");
	wl_metric("total_time", train_s + predict_s, "s");
	wl_metric("accuracy", accuracy, "");
	wl_metric("nodes", (double)nodes, "");
	wl_metric("leaves", (double)leaves, "");
	wl_metric("depth_max", depth, "");
	wl_metric("trees", (double)cfg->trees, "");
	wl_metric("threads", cfg->threads, "");
}

int main(int argc, char **argv)
{
	wl_init(argv[0]);
	struct config cfg = {
		.samples = 100000,
		.features = 100,
		.trees = 10,
		.min_leaf = 1,
		.max_features_text = "sqrt",
		.bootstrap = 1,
		.data = DATA_RANDOM,
		.test_fraction = 0.2,
		.seed = 42,
		.threads = wl_effective_cpus(),
	};
	parse_options(argc, argv, &cfg);
	wl_options_done();

	struct dataset ds;
	wl_phase("generate");
	generate_data(&ds, &cfg);

	struct forest fo;
	wl_phase("train");
	double t0 = wl_now();
	train_forest(&fo, &ds, &cfg);
	double t1 = wl_now();

	wl_phase("predict");
	double accuracy = predict_accuracy(&fo, &ds, cfg.threads);
	double t2 = wl_now();

	report(&cfg, &ds, &fo, accuracy, t1 - t0, t2 - t1);

	/* Freeing a million small nodes is allocator work too: its own phase. */
	wl_phase("free");
	double t3 = wl_now();
	free_forest(&fo);
	wl_metric("free_time", wl_now() - t3, "s");
	free_data(&ds);
	wl_finish();
	return 0;
}
