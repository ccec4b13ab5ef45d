# Entry points: `make demo` (the main job) and `make test`. Each installs the
# Debian packages it needs (only the missing ones), configures and builds.
BUILD ?= build
JOBS ?= 2
CMAKE_OPTIONS ?=
PACKAGES := cmake g++ make libtorch-dev libopenblas0-pthread libnifti2-dev libcli11-dev \
            nlohmann-json3-dev libgtest-dev zlib1g-dev libmgl-dev
# Checks that need real parts: node --check of the report's JavaScript, a
# headless-browser test of its slice viewer, and a real PyTorch loading
# model.pt with weights_only=True.
TEST_PACKAGES := nodejs chromium python3-torch
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps install-missing build test demo format clean

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

demo: build
	./$(BUILD)/lrpseg demo

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD)
