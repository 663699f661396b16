# corio: the runtime (src/corio), the programs of every chapter, the tests,
# and the snapshots of the book. `make help` lists the targets.
#
# Everything is built under $(B) (default build/): the builds of `make check`
# are the same rules with B=build/<variant> and SANFLAGS (CXXFLAGS) set.

CXX      ?= g++
CXXFLAGS ?= -O2 -g
B        ?= build
PREFIX   ?= /usr/local
VERSION  := 0.1.0
V        ?= 0

WARNINGS := -Wall -Wextra -Wpedantic -Werror
FLAGS     = -std=c++20 $(CXXFLAGS) $(WARNINGS) -pthread $(SANFLAGS) -Isrc $(CPPFLAGS)
LINK      = $(CXX) $(CXXFLAGS) $(SANFLAGS) -pthread $(LDFLAGS)
BENCH_FLAGS = -std=c++20 -O2 -DNDEBUG $(WARNINGS) -pthread -Isrc $(CPPFLAGS)

# The poller each test run uses (the runtime reads CORIO_POLLER).
POLLERS  := select epoll

# `make check`: one build per variant under build/<name>. To add one, add its
# name here and define SAN_FLAGS_<name> (the sanitizer flags), and where it
# needs them OPT_FLAGS_<name> (replaces CXXFLAGS), TEST_ARGS_<name> (a part
# of the suite, e.g. [threads]) and POLLERS_<name> (default: both). The
# variants share an object cache (CHECK_CACHE): the two ASan builds compile
# everything once but frame_pool.cpp.
CHECK_VARIANTS := asan asan-pool tsan O0
CHECK_CACHE    ?= $(or $(CORIO_OBJ_CACHE),$(abspath build/objcache))
ASAN_FLAGS      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all $(GCC_SAN_QUIRKS)
# ASan with the frame pool off sees every frame's own allocation (a frame
# used after it was freed, or freed twice); with the pool on it sees the
# pool's own bugs (frames outliving the thread that allocated them). One
# poller each: both are covered, for the time of one run of the suite.
# The sanitizers' builds are at -O1 (what both sanitizers' manuals advise:
# fast enough, stacks still exact, and half the compile time of -O2), with
# -g1: line tables only, so a report still names each frame's file and line,
# and a test file compiles in 7 s instead of 11 s with -g.
SAN_FLAGS_asan       = $(ASAN_FLAGS) -DCORIO_NO_FRAME_POOL
OPT_FLAGS_asan      := -O1 -g1
POLLERS_asan        := select
SAN_FLAGS_asan-pool  = $(ASAN_FLAGS)
OPT_FLAGS_asan-pool := -O1 -g1
POLLERS_asan-pool   := epoll
# ThreadSanitizer over the tests that start threads (tagged [threads]); the
# rest of the suite is single-threaded by construction, so only the files
# holding such a test are compiled (TEST_SRCS_<name>: the test files).
SAN_FLAGS_tsan  = -fsanitize=thread -fno-omit-frame-pointer $(GCC_SAN_QUIRKS)
OPT_FLAGS_tsan := -O1 -g1
TEST_ARGS_tsan := [threads]
TEST_SRCS_tsan  = tests/main.cpp $(shell grep -l '\[threads\]' tests/*.cpp)
EX_SRCS_tsan    = $(call programs_tested_by,$(TEST_SRCS_tsan))
# The suite at -O0, no sanitizer: GCC makes symmetric transfer a tail call
# only when optimising, so here a chain of awaits that complete at once
# grows the stack if the runtime lets it. Quick to compile (no -g either).
OPT_FLAGS_O0   := -O0
POLLERS_O0     := epoll
export TSAN_OPTIONS ?= halt_on_error=1:second_deadlock_stack=1
# GCC 12 warns about std::regex (inside Catch2's runner) under the
# sanitizers, falsely; clang does not know the option.
GCC_SAN_QUIRKS  = $(if $(CXX_IS_CLANG),,-Wno-maybe-uninitialized)
CXX_IS_CLANG   := $(shell $(CXX) -dM -E -x c++ /dev/null 2>/dev/null | grep __clang__)
export ASAN_OPTIONS  ?= detect_stack_use_after_return=1:strict_init_order=1
export UBSAN_OPTIONS ?= print_stacktrace=1

ifeq ($(V),0)
Q    := @
say   = @printf '  %-5s %s\n' '$(1)' '$(2)';
else
Q    :=
say   =
endif

# ---------------------------------------------------------------- sources

LIB_SRCS   := $(sort $(shell find src/corio -name '*.cpp'))
LIB_OBJS   := $(LIB_SRCS:%.cpp=$(B)/obj/%.o)
LIB        := $(B)/libcorio.a

EX_SRCS    := $(sort $(wildcard chapters/[0-9][0-9]-*/*.cpp))
# The programs the given test files run: a chapter's, when its
# tests/examples_NN_test.cpp is among them.
programs_tested_by = $(sort $(foreach n,$(patsubst tests/examples_%_test.cpp,%,$(filter tests/examples_%_test.cpp,$(1))),$(wildcard chapters/$(n)-*/*.cpp)))
EX_OBJS    := $(EX_SRCS:%.cpp=$(B)/obj/%.o)
EX_BINS    := $(patsubst chapters/%.cpp,$(B)/examples/%,$(EX_SRCS))

TEST_SRCS  := $(sort $(wildcard tests/*.cpp))
TEST_OBJS  := $(TEST_SRCS:%.cpp=$(B)/obj/%.o)
TEST_BIN   := $(B)/tests/corio_tests

# The loop core (chapters 01-02: loop, clocks, timers, pollers, ready queue,
# callbacks, diagnostics) builds and runs without the layers above it: its
# sources alone, with the tests of chapters 01-02 (the programs' tests aside),
# make one more test binary. A file's chapter is its `// @chapter NN` line.
chapter_0102 = $(shell grep -lE '^// @chapter 0[12]$$' $(1) /dev/null)
CORE_OBJS      := $(patsubst %.cpp,$(B)/obj/%.o,$(call chapter_0102,$(LIB_SRCS)))
CORE_TEST_OBJS := $(patsubst %.cpp,$(B)/obj/%.o,$(filter-out tests/examples_%,$(call chapter_0102,$(TEST_SRCS))))
CORE_TEST_BIN  := $(B)/tests/loop_core_tests

# Precompiled headers, with GCC. Before its own code, a test file reads
# Catch2's header and, most of them, <corio/corio.hpp>; a program reads
# corio.hpp. At -O0 that reading was half of a test file's compile time,
# and `make test-chapters` compiles some 400 test files and programs. So
# each build directory compiles each prelude of tools/preludes once, into
# $(B)/pch, with the flags of the objects that take it; an object names its
# prelude with `-include`, and GCC, looking through `-I$(B)/pch` first,
# reads the compiled one. A file takes a prelude only when its own text
# includes every header of it (a grep), so a prelude adds no header a file
# lacks: the loop core's tests still compile without the layers above.
# main.cpp defines CATCH_CONFIG_MAIN before its include, and goes without.
# -Winvalid-pch turns a prelude GCC could not use into an error, not a
# silently slow build. Not with clang (decision 186): it looks for a
# compiled prelude only beside the path `-include` names, and a path in
# the build directory would part the object cache's keys of the two ASan
# builds.
includes_corio = $(shell grep -l '^\#include <corio/corio.hpp>' $(1) /dev/null)
PCH_TESTS   := $(filter-out tests/main.cpp,$(TEST_SRCS))
PCH_TC_OBJS := $(patsubst %.cpp,$(B)/obj/%.o,$(call includes_corio,$(PCH_TESTS)))
PCH_T_OBJS  := $(filter-out $(PCH_TC_OBJS),$(PCH_TESTS:%.cpp=$(B)/obj/%.o))
PCH_C_OBJS  := $(patsubst %.cpp,$(B)/obj/%.o,$(call includes_corio,$(EX_SRCS)))
prelude      = -Winvalid-pch -I$(B)/pch -Itools/preludes -include $(1)_prelude.hpp

BENCH_SRCS := $(sort $(wildcard tests/bench/*.cpp))
BENCH_OBJS := $(BENCH_SRCS:%.cpp=$(B)/bench/obj/%.o)
BENCH_BINS := $(patsubst tests/bench/%.cpp,$(B)/bench/%,$(BENCH_SRCS))
BENCH_LIB_OBJS := $(LIB_SRCS:%.cpp=$(B)/bench/obj/%.o)
BENCH_LIB  := $(B)/bench/libcorio.a
# corio_bench again with the trace and the timeline compiled out, for the
# bench's row OFF: what they cost while off (tests/bench/watchers_off.sh).
BARE_LIB_OBJS := $(LIB_SRCS:%.cpp=$(B)/bench/bare/%.o)
BARE_OBJS  := $(BARE_LIB_OBJS) $(B)/bench/bare/tests/bench/corio_bench.o
BARE_LIB   := $(B)/bench/bare/libcorio.a
BENCH_BARE := $(B)/bench/corio_bench_bare

# N=3 -> 03 and the chapter before it, for `make chapter`, `make diff`.
NN   = $(shell printf '%s\n' '$(N)' | awk '/^[0-9]+$$/ && $$0 + 0 >= 1 && $$0 + 0 <= 99 { printf "%02d", $$0 }')
PREV = $(shell printf '%s\n' '$(NN)' | awk '{ printf "%02d", $$0 - 1 }')

# What the tests need, installed when missing (tools/ensure-package.sh).
ENSURE_TEST_PACKAGES = sh tools/ensure-package.sh catch2 catch2 && sh tools/ensure-package.sh python3 python3 && \
                       sh tools/ensure-package.sh curl curl

# ---------------------------------------------------------------- targets

.DEFAULT_GOAL := all
.PHONY: all lib examples tests run test test-core test-snapshot run-tests check check-variants \
        chapter diff test-chapters bench install clean format help FORCE

all: $(LIB) $(EX_BINS)
lib: $(LIB)
examples: $(EX_BINS)

tests:
	@sh tools/ensure-package.sh catch2 catch2
	+$(Q)$(MAKE) --no-print-directory $(TEST_BIN) $(EX_BINS)

run: all
	@sh tools/tour.sh $(B)/examples $(CH)

test:
	@$(ENSURE_TEST_PACKAGES)
	+$(Q)$(MAKE) --no-print-directory run-tests
	+$(Q)$(MAKE) --no-print-directory test-core
	@sh tools/quotes.sh
	@sh tools/guide.sh
	@sh tools/closing.sh
	@sh tools/history.sh
	@sh tools/layers.sh
	+@CXX='$(CXX)' sh tests/install_test.sh

# What `make test-chapters` runs inside each snapshot: everything builds
# without a warning and the tests pass. (No quote check: the main tree's
# checks every chapter's quotes; no install test.)
test-snapshot:
	@$(ENSURE_TEST_PACKAGES)
	+$(Q)$(MAKE) --no-print-directory all run-tests

# A hung test must fail the run, not eat CI's whole budget: past
# TEST_TIMEOUT seconds the suite gets SIGTERM, and Catch2 names the test
# that was running.
TEST_TIMEOUT ?= 900
bounded = timeout -s TERM $(TEST_TIMEOUT)

run-tests: $(TEST_BIN) $(EX_BINS)
	@for poller in $(POLLERS); do \
	    echo "== $(TEST_BIN) with CORIO_POLLER=$$poller"; \
	    CORIO_POLLER=$$poller $(bounded) $(TEST_BIN) $(if $(TEST_ARGS),'$(TEST_ARGS)') || exit 1; \
	done

test-core: $(CORE_TEST_BIN)
	@for poller in $(POLLERS); do \
	    echo "== $(CORE_TEST_BIN) (the loop core alone) with CORIO_POLLER=$$poller"; \
	    CORIO_POLLER=$$poller $(bounded) $(CORE_TEST_BIN) || exit 1; \
	done

check:
	@sh tools/ensure-package.sh catch2 catch2
	+@for v in $(CHECK_VARIANTS); do \
	    t0=$$(date +%s); \
	    $(MAKE) --no-print-directory check-$$v || exit 1; \
	    echo "make check: $$v done in $$(($$(date +%s) - t0)) s"; \
	done

# The variants' names, for .ci/run's timings.
check-variants:
	@echo $(CHECK_VARIANTS)

check-%:
	@echo "== make check: variant $*"
	+$(Q)$(MAKE) --no-print-directory B=build/$* SANFLAGS='$(SAN_FLAGS_$*)' \
	    $(if $(OPT_FLAGS_$*),CXXFLAGS='$(OPT_FLAGS_$*)') POLLERS='$(or $(POLLERS_$*),$(POLLERS))' \
	    CORIO_OBJ_CACHE='$(CHECK_CACHE)' TEST_ARGS='$(TEST_ARGS_$*)' \
	    $(if $(TEST_SRCS_$*),TEST_SRCS='$(TEST_SRCS_$*)' EX_SRCS='$(EX_SRCS_$*)') run-tests

chapter:
	@test -n "$(NN)" || { echo "usage: make chapter N=03" >&2; exit 2; }
	@sh tools/snapshot.sh $(NN) $(B)/chapters/$(NN)

# PART=src (or tests, chapters, ...): only that folder of the two snapshots.
diff:
	@test -n "$(NN)" || { echo "usage: make diff N=05 [PART=src]" >&2; exit 2; }
	@sh tools/snapshot.sh $(NN) $(B)/chapters/$(NN) >/dev/null
	@if [ $(NN) = 01 ]; then rm -rf $(B)/chapters/00 && mkdir -p $(B)/chapters/00; \
	 else sh tools/snapshot.sh $(PREV) $(B)/chapters/$(PREV) >/dev/null; fi
	@cd $(B)/chapters && mkdir -p $(PREV)/$(PART) $(NN)/$(PART) && \
	 diff -ruN -x build $(PREV)/$(PART) $(NN)/$(PART); rc=$$?; [ $$rc -le 1 ] || [ $$rc -gt 128 ]

test-chapters:
	@CXX='$(CXX)' sh tools/test-chapters.sh $(N)

bench: $(BENCH_BINS) $(BENCH_BARE)
	@sh tools/ensure-package.sh wrk wrk
	@sh tools/ensure-package.sh valgrind valgrind
	@if [ -f tests/bench/run.sh ]; then \
	    CORIO_BENCH_DIR='$(abspath $(B)/bench)' bash tests/bench/run.sh; \
	 else echo "make bench: tests/bench/run.sh is missing, so there is nothing to run yet"; fi

# The headers as the last chapter has them: markers resolved, no old code.
install: $(LIB)
	@dest='$(DESTDIR)$(abspath $(PREFIX))'; \
	 last=$$(ls -d chapters/[0-9][0-9]-* | tail -n 1 | sed 's|^chapters/\([0-9][0-9]\).*|\1|'); \
	 mkdir -p "$$dest/include" "$$dest/lib/pkgconfig" && \
	 (cd src && find corio -name '*.hpp') | while read -r h; do \
	    mkdir -p "$$dest/include/$${h%/*}" && \
	    sh tools/snapshot.sh --file "$$last" "src/$$h" >"$$dest/include/$$h" || exit 1; \
	 done && \
	 cp $(LIB) "$$dest/lib/libcorio.a" && \
	 sed -e 's|@PREFIX@|$(abspath $(PREFIX))|' -e 's|@VERSION@|$(VERSION)|' \
	    tools/corio.pc.in >"$$dest/lib/pkgconfig/corio.pc" && \
	 echo "installed corio $(VERSION) into $$dest"

clean:
	rm -rf $(B)

format:
	clang-format -i $(shell find src/corio -name '*.[ch]pp') $(wildcard tests/*.cpp \
	    tests/support/*.hpp tests/bench/*.cpp chapters/*/*.cpp)

help:
	@echo 'make                  library and every chapter'"'"'s programs'
	@echo 'make run [CH=04]      the tour: each chapter'"'"'s programs, on the real clock'
	@echo 'make test             tests (select and epoll), the loop core alone, quotes, guide tags, chapters'"'"' closing sections, old code in src/, include layers, install test'
	@echo 'make check            tests under ASan+UBSan, frame pool off (select) and on (epoll),'
	@echo '                      threaded ones under TSan, the suite at -O0 (build/<variant>) [check-NAME: one]'
	@echo 'make chapter N=03     cut chapter 03'"'"'s snapshot into build/chapters/03'
	@echo 'make diff N=05        what chapter 05 changed (diff -ruN 04 05) [PART=src: only src/]'
	@echo 'make test-chapters    build and test every chapter'"'"'s snapshot [N=05: one]'
	@echo 'make bench            benchmarks (tests/bench/run.sh)'
	@echo 'make install PREFIX=  headers, libcorio.a, pkg-config file'
	@echo 'make format           clang-format the sources'
	@echo 'make clean            remove build/'

# ---------------------------------------------------------------- rules

# Objects depend on the flags they were compiled with.
$(B)/flags: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(CXX) $(FLAGS) $(LDFLAGS) $(TEST_CXXFLAGS)' | cmp -s - $@ || \
	 printf '%s\n' '$(CXX) $(FLAGS) $(LDFLAGS) $(TEST_CXXFLAGS)' >$@

# $(call compile,flags): with CORIO_OBJ_CACHE set, through tools/cxxcache.sh.
define compile
@mkdir -p $(@D)
$(call say,CXX,$<)$(if $(CORIO_OBJ_CACHE),CORIO_OBJ_CACHE='$(CORIO_OBJ_CACHE)' sh tools/cxxcache.sh $@ $< $(CXX) $(1),$(CXX) $(1) -MMD -MP -c $< -o $@)
endef

# TEST_CXXFLAGS: added for the tests' and the programs' objects only (make
# test-chapters builds them at -O0 without -g in the snapshots: a third of
# the compile time of -O2 -g; the runtime itself stays at -O2).
$(TEST_OBJS) $(EX_OBJS): XFLAGS = $(TEST_CXXFLAGS)
# Catch2's runner compiles in half the time at -O1 and runs as fast.
$(B)/obj/tests/main.o: XFLAGS += -O1

$(LIB_OBJS) $(EX_OBJS) $(TEST_OBJS): $(B)/obj/%.o: %.cpp $(B)/flags
	$(call compile,$(FLAGS) $(XFLAGS))

# The preludes (above): each object that takes one names it, and is built
# after it.
ifeq ($(CXX_IS_CLANG),)
$(PCH_T_OBJS): XFLAGS += $(call prelude,catch)
$(PCH_T_OBJS): $(B)/pch/catch_prelude.hpp.gch
$(PCH_TC_OBJS): XFLAGS += $(call prelude,catch_corio)
$(PCH_TC_OBJS): $(B)/pch/catch_corio_prelude.hpp.gch
$(PCH_C_OBJS): XFLAGS += $(call prelude,corio)
$(PCH_C_OBJS): $(B)/pch/corio_prelude.hpp.gch
endif

$(B)/pch/%.hpp.gch: tools/preludes/%.hpp $(B)/flags
	@mkdir -p $(@D)
	$(call say,PCH,$<)$(CXX) $(FLAGS) $(TEST_CXXFLAGS) -x c++-header -MMD -MP -MF $(@:.gch=.d) -MT $@ -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(EX_BINS): $(B)/examples/%: $(B)/obj/chapters/%.o $(LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(LINK) -o $@ $< $(LIB)

$(TEST_BIN): $(TEST_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(LINK) -o $@ $(TEST_OBJS) $(LIB)

$(CORE_TEST_BIN): $(CORE_TEST_OBJS) $(CORE_OBJS)
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(LINK) -o $@ $(CORE_TEST_OBJS) $(CORE_OBJS)

$(BENCH_LIB_OBJS) $(BENCH_OBJS): $(B)/bench/obj/%.o: %.cpp $(B)/flags
	$(call compile,$(BENCH_FLAGS))

$(BENCH_LIB): $(BENCH_LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(BENCH_BINS): $(B)/bench/%: $(B)/bench/obj/tests/bench/%.o $(BENCH_LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CXX) -O2 -pthread $(LDFLAGS) -o $@ $< $(BENCH_LIB)

$(BARE_OBJS): $(B)/bench/bare/%.o: %.cpp $(B)/flags
	$(call compile,$(BENCH_FLAGS) -DCORIO_NO_WATCHERS)

$(BARE_LIB): $(BARE_LIB_OBJS)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(BENCH_BARE): $(B)/bench/bare/tests/bench/corio_bench.o $(BARE_LIB)
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CXX) -O2 -pthread $(LDFLAGS) -o $@ $< $(BARE_LIB)

-include $(wildcard $(LIB_OBJS:.o=.d) $(EX_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(B)/pch/*.d \
                    $(BENCH_LIB_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(BARE_OBJS:.o=.d))
