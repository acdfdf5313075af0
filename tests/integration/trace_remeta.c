/* trace_remeta — copies a trace record by record with the real reader and
 * writer, replacing META keys, so a test can stand for a trace recorded on
 * another machine (another host, kernel, CPU or C library) without one:
 * test_compare.sh checks that compare points such differences out.
 *
 * usage: trace_remeta IN OUT KEY=VALUE...   (exit 0, or 1 with a sentence) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define MAX_KV 256

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: trace_remeta IN OUT KEY=VALUE...\n");
		return 2;
	}
	char err[512];
	struct bt_trace_reader *r = trace_reader_open(argv[1], err, sizeof err);
	if (!r) {
		fprintf(stderr, "trace_remeta: %s\n", err);
		return 1;
	}
	int werr = 0;
	struct bt_trace_writer *w = trace_writer_open(argv[2], true, &werr);
	if (!w) {
		fprintf(stderr, "trace_remeta: cannot write %s: %s\n", argv[2], strerror(-werr));
		trace_reader_free(r);
		return 1;
	}
	int rc = 0;
	struct bt_record rec;
	while (rc == 0 && trace_reader_next(r, &rec) == 1) {
		if (rec.type == TR_FRAME) {
			rc = trace_write_frame(w, rec.frame);
			continue;
		}
		if (rec.type == TR_INDEX)
			continue; /* the writer makes its own at close */
		struct bt_kv kv[MAX_KV];
		char *keys[MAX_KV] = { 0 };
		size_t n = rec.nkv < MAX_KV ? rec.nkv : MAX_KV;
		memcpy(kv, rec.kv, n * sizeof(*kv));
		for (int a = 3; rec.type == TR_META && a < argc; a++) {
			char *eq = strchr(argv[a], '=');
			if (!eq)
				continue;
			size_t kl = (size_t)(eq - argv[a]);
			size_t i = 0;
			while (i < n && !(strlen(kv[i].key) == kl && strncmp(kv[i].key, argv[a], kl) == 0))
				i++;
			if (i == n && n < MAX_KV) {
				keys[n] = strndup(argv[a], kl);
				kv[n++].key = keys[i];
			}
			if (i < n)
				kv[i].val = eq + 1;
		}
		rc = trace_write_kv(w, rec.type, rec.run, rec.t_us, kv, n);
		for (size_t i = 0; i < MAX_KV; i++)
			free(keys[i]);
	}
	if (trace_reader_problem(r))
		fprintf(stderr, "trace_remeta: note: %s\n", trace_reader_problem(r));
	trace_reader_free(r);
	if (rc == 0)
		rc = trace_writer_close(w);
	else
		trace_writer_abandon(w);
	if (rc != 0) {
		fprintf(stderr, "trace_remeta: writing %s failed: %s\n", argv[2], strerror(-rc));
		return 1;
	}
	return 0;
}
