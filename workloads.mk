# ---- Built-in workloads: every one built per libc variant -----------------
# workloads/<variant>/bt-<name>; benchtop finds them next to itself (the
# build tree) or in $(libexecdir)/benchtop (installed).
#
# Sysroot mode (the default): glibc and musl link the same OpenBLAS (same
# source, TARGET and flags) from the sysroots that
# containers/build-sysroot.sh builds once and reuses (libpq likewise, for
# both); glibc+debian-openblas is k-means against Debian's packaged
# OpenBLAS, to make its trap visible.
#
# System mode (configure --with-workload-libs=system, what a container image
# builds): one variant, named after the libc of $(CC), linked against the
# distribution's OpenBLAS and libpq found by pkg-config.
# GNU make pattern rules (automake runs with -Wno-portability).
WL_NAMES = kmeans forest pgio micro spin
WL_SRC = $(top_srcdir)/src/workloads
WL_COMMON = $(WL_SRC)/wl.c
# Parameter tables leave wl_param.list out where it is false.
WL_CFLAGS = -std=gnu11 -O2 -g -ffp-contract=off $(WARN_CFLAGS) -Wno-missing-field-initializers \
	-I$(WL_SRC) -I$(top_srcdir)/src

if WL_SYSTEM
WL_BINS = $(addprefix workloads/$(NATIVE_LIBC)/bt-,$(WL_NAMES))
WL_SYS_kmeans = $(OPENBLAS_LIBS)
WL_SYS_pgio = $(top_srcdir)/src/pgcluster.c $(LIBPQ_LIBS)

workloads/$(NATIVE_LIBC)/bt-%: $(WL_SRC)/%.c $(WL_COMMON) $(WL_SRC)/wl.h
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) $(WL_CFLAGS) $(SAN_CFLAGS) -DWL_MUSL_VERSION='"$(MUSL_VERSION)"' \
		$(OPENBLAS_CFLAGS) $(LIBPQ_CFLAGS) -o $@ $< $(WL_COMMON) $(WL_SYS_$*) $(SAN_LDFLAGS) -pthread -lm
workloads/$(NATIVE_LIBC)/bt-pgio: $(top_srcdir)/src/pgcluster.c $(top_srcdir)/src/pgcluster.h
else
SYSROOT_STAMP = $(BT_SYSROOT)/manifest
WL_GLIBC = $(addprefix workloads/glibc/bt-,$(WL_NAMES)) workloads/glibc+debian-openblas/bt-kmeans
WL_MUSL =
if WITH_MUSL
WL_MUSL += $(addprefix workloads/musl/bt-,$(WL_NAMES))
endif
WL_BINS = $(WL_GLIBC) $(WL_MUSL)

# What each workload links besides libc, per variant.
WL_EXTRA_kmeans_glibc = $(BT_SYSROOT)/glibc/lib/libopenblas.a
WL_EXTRA_kmeans_musl = $(BT_SYSROOT)/musl/lib/libopenblas.a
WL_EXTRA_pgio_glibc = $(top_srcdir)/src/pgcluster.c $(BT_SYSROOT)/glibc/lib/libpq.a \
	$(BT_SYSROOT)/glibc/lib/libpgcommon_shlib.a $(BT_SYSROOT)/glibc/lib/libpgport_shlib.a
WL_EXTRA_pgio_musl = $(top_srcdir)/src/pgcluster.c $(BT_SYSROOT)/musl/lib/libpq.a \
	$(BT_SYSROOT)/musl/lib/libpgcommon_shlib.a $(BT_SYSROOT)/musl/lib/libpgport_shlib.a

$(SYSROOT_STAMP): $(top_srcdir)/containers/build-sysroot.sh
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/containers/build-sysroot.sh $(BT_SYSROOT)

workloads/glibc/bt-%: $(WL_SRC)/%.c $(WL_COMMON) $(WL_SRC)/wl.h
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) $(WL_CFLAGS) $(SAN_CFLAGS) -I$(BT_SYSROOT)/glibc/include -o $@ $< $(WL_COMMON) \
		$(WL_EXTRA_$*_glibc) $(SAN_LDFLAGS) -pthread -lm
workloads/musl/bt-%: $(WL_SRC)/%.c $(WL_COMMON) $(WL_SRC)/wl.h
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(MUSL_CC) -static $(WL_CFLAGS) -DWL_MUSL_VERSION='"$(MUSL_VERSION)"' \
		-I$(BT_SYSROOT)/musl/include -o $@ $< $(WL_COMMON) $(WL_EXTRA_$*_musl) -pthread -lm
workloads/glibc+debian-openblas/bt-kmeans: $(WL_SRC)/kmeans.c $(WL_COMMON) $(WL_SRC)/wl.h
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(CC) $(WL_CFLAGS) $(SAN_CFLAGS) $(OPENBLAS_CFLAGS) -o $@ $< $(WL_COMMON) \
		$(OPENBLAS_LIBS) $(SAN_LDFLAGS) -pthread -lm
workloads/glibc/bt-kmeans workloads/musl/bt-kmeans workloads/glibc/bt-pgio workloads/musl/bt-pgio: $(SYSROOT_STAMP)
workloads/glibc/bt-pgio workloads/musl/bt-pgio: $(top_srcdir)/src/pgcluster.c $(top_srcdir)/src/pgcluster.h
endif

all-local: $(WL_BINS)
clean-local:
	-rm -rf workloads
install-exec-local: $(WL_BINS)
	for b in $(WL_BINS); do \
		v=$$(basename $$(dirname $$b)); \
		$(MKDIR_P) "$(DESTDIR)$(libexecdir)/benchtop/$$v" && \
		$(INSTALL_PROGRAM) $$b "$(DESTDIR)$(libexecdir)/benchtop/$$v/" || exit 1; \
	done
uninstall-local:
	-rm -rf "$(DESTDIR)$(libexecdir)/benchtop"
