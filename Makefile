# Entry points: `make demo` (the main job) and `make test`. Each installs the
# Debian packages it needs (only the missing ones), configures and builds.
BUILD ?= build
JOBS ?= 2
CMAKE_OPTIONS ?=
PACKAGES := cmake g++ make libtorch-dev libopenblas0-pthread libnifti2-dev libcli11-dev \
            nlohmann-json3-dev libgtest-dev zlib1g-dev libmgl-dev libgloo-dev
# Checks that need real parts: node --check of the report's JavaScript, a
# headless-browser test of its slice viewer, and a real PyTorch loading
# model.pt with weights_only=True.
TEST_PACKAGES := nodejs chromium python3-torch
# The sanitizer and fuzzing build (`make test-sanitize`, `make fuzz`): clang
# with ASan + UBSan and libFuzzer, llvm-symbolizer for readable reports.
SANITIZE_PACKAGES := clang libclang-rt-14-dev llvm-14
SANITIZE_BUILD ?= build-sanitize
FUZZ_SECONDS ?= 60
# Any report ends the process; leaks inside LibTorch's and OpenBLAS's own
# start-up allocations are not ours (tests/sanitizers/lsan.supp).
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:check_initialization_order=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps install-missing build test demo sanitize-build test-sanitize fuzz format clean

deps:
	@$(MAKE) --no-print-directory install-missing WANTED="$(PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install-missing WANTED="$(TEST_PACKAGES)"

install-missing:
	@missing=""; for p in $(WANTED); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_OPTIONS)
	cmake --build $(BUILD) -j $(JOBS)

test: build test-deps
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

sanitize-build: deps
	@$(MAKE) --no-print-directory install-missing WANTED="$(SANITIZE_PACKAGES)"
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DLRPSEG_SANITIZE=ON -DLRPSEG_FUZZ=ON $(CMAKE_OPTIONS)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)

test-sanitize: sanitize-build test-deps
	cd $(SANITIZE_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS)

# Every fuzz target for FUZZ_SECONDS from its seed corpus (fuzz/corpus/).
fuzz: sanitize-build
	$(SANITIZER_ENV) fuzz/run_fuzzers.sh $(SANITIZE_BUILD) $(FUZZ_SECONDS)

demo: build
	./$(BUILD)/lrpseg demo

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
