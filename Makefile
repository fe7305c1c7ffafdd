# kolla.glance: Go binary modules in an Ansible collection.
# `make help` lists the targets.

SHELL      := /bin/bash
# Every recipe line fails when any command of it fails, a pipe's included
# (without pipefail, `go test | tee | grep` has grep's status).
.SHELLFLAGS := -e -o pipefail -c
GO         ?= go
VERSION    := $(shell sed -n 's/^version: *//p' galaxy.yml)
LDFLAGS    := -s -w -X github.com/kolla-glance/kolla-glance/internal/version.Version=$(VERSION)
# -s -w drop symbols and DWARF; -gcflags=all=-l (no inlining) trims ~80 KB of
# code from binaries whose speed is bound by process start, not by Go code.
GOBUILD    := CGO_ENABLED=0 $(GO) build -trimpath -gcflags=all=-l -ldflags '$(LDFLAGS)'
# One binary per platform serves every module; how it is named on each
# platform is read from the file the action plugins read too.
PLATFORMS  := plugins/plugin_utils/platforms.txt
BINARY     := $(shell awk '$$1 == "name" { print $$2 }' $(PLATFORMS))
# the name of an architecture in binary names, for any spelling of it (uname -m)
arch_name   = $(shell awk -v a='$(1)' '$$1 == "arch" { for (i = 2; i <= NF; i++) if (i != 3 && $$i == a) { print $$2; f = 1; exit } } \
                END { if (!f) print a }' $(PLATFORMS))
UNAME_S    ?= $(shell uname -s)
UNAME_M    ?= $(shell uname -m)
HOST_SYS   := $(shell echo '$(UNAME_S)' | tr '[:upper:]' '[:lower:]')
HOST_ARCH  := $(call arch_name,$(UNAME_M))
HOST_BIN   := plugins/modules/$(BINARY)_$(HOST_SYS)_$(HOST_ARCH)
# what `make dist` builds: system:arch:GOARCH for each dist line
DIST       := $(shell awk '$$1 == "arch" { g[$$2] = $$3 } $$1 == "dist" { print $$2 ":" $$3 ":" g[$$3] }' $(PLATFORMS))
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
DISTDIR    := dist

# ansible-core: the line the scenarios, e2e, demo and bench run on (kolla-ansible
# 2026.1's), and the lines the integration suite runs on (tests/ansible-core/versions).
ANSIBLE_CORE   ?= 2.19
ANSIBLE_MATRIX ?= 2.14 2.19 2.22
# a recipe prefix that puts ansible-core $(1) first on PATH (built on first use)
with_ansible = bin=$$(tests/ansible-core/ensure $(1)) && PATH="$$bin:$$PATH"

# Tests that need a missing real part fail, unless KOLLA_GLANCE_MAY_SKIP names
# it; such skips are listed here and in make test's last line.
export KOLLA_GLANCE_SKIP_LOG := $(CURDIR)/$(DISTDIR)/skipped.txt

# RUN=<regexp> narrows every go test suite to the matching tests (a
# developer's shortcut, and how `make suite-status` runs the deliberately
# failing tests); TAGS=<tags> adds build tags to every go test. A narrowed
# run records no figures.
RUN  ?=
TAGS ?=
# the packages make unit tests (make suite-status narrows them to the one
# that holds the unit suite's deliberate failure)
UNIT_PKGS ?= ./...
# go test's test selection: RUN when given, else the suite's own ($(1)).
go_select = $(if $(RUN),-run '$(RUN)',$(1))
# tests/bin/suite runs a suite with its log in dist/ and exits with the
# suite's own status, whatever the filter shows.
suite = tests/bin/suite
# The suites write their figures files (tests/figures) into dist/figures;
# a suite that passed whole, not narrowed by RUN, has its file kept in
# docs/figures, which the README's tables are generated from.
export KOLLA_GLANCE_FIGURES_DIR := $(CURDIR)/$(DISTDIR)/figures
record = [ -n '$(RUN)' ] || { mkdir -p docs/figures && cp $(DISTDIR)/figures/$(1).json docs/figures/$(1).json && \
  echo "figures: docs/figures/$(1).json recorded (make readme-figures puts them in the README)"; }

export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0

.PHONY: help build binary-name dist generate check-generated kolla-parity kolla-guide readme-figures deps unit integration integration-one qemu-protocol test suite-status clear-skips lint \
        collection demo bench reliability molecule e2e e2e-kill release clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

build: ## the binary for this machine's platform (named as platforms.txt says), into plugins/modules
	$(GOBUILD) -o $(HOST_BIN) ./plugins/cmd/$(BINARY)

binary-name: ## the binary's name on this machine (or on UNAME_S=Darwin UNAME_M=arm64)
	@echo $(notdir $(HOST_BIN))

dist: ## one static, stripped binary per platform of platforms.txt (linux x86_64, aarch64), into plugins/modules
	@find plugins/modules -maxdepth 1 -type f ! -name '*.py' ! -name '$(BINARY)_*' -print -delete | sed 's/^/removed stale /'
	@for p in $(DIST); do sys=$${p%%:*}; rest=$${p#*:}; arch=$${rest%%:*}; goarch=$${rest#*:}; \
	  [ -n "$$goarch" ] || { echo "dist: $(PLATFORMS) has no arch line for $$arch"; exit 1; }; \
	  GOOS=$$sys GOARCH=$$goarch $(GOBUILD) -o plugins/modules/$(BINARY)_$${sys}_$$arch ./plugins/cmd/$(BINARY) || exit 1; \
	  ls -l plugins/modules/$(BINARY)_$${sys}_$$arch | awk '{printf "%-48s %8d bytes\n", $$9, $$5}'; done

generate: ## render module docs and the controller argument specs from the Go specs
	$(GO) run ./internal/tools/gendocs
	$(call with_ansible,2.19) && python3 tests/kolla_stores/generate.py

check-generated: ## fail when generated files are stale, or the README states a figure no figures file holds
	$(GO) run ./internal/tools/gendocs -check
	$(GO) run ./internal/tools/readmefigures -check
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  { $(call with_ansible,2.19) && python3 tests/kolla_stores/generate.py --out "$$tmp"; } || exit 1; stale=0; \
	  for f in "$$tmp"/*.txt; do c=internal/glance/stores/testdata/kolla/$${f##*/}; \
	    diff -u "$$c" "$$f" || { echo "check-generated: $$c is stale (kolla-ansible evaluates otherwise): run make generate"; stale=1; }; done; \
	  for c in internal/glance/stores/testdata/kolla/*.txt; do [ -e "$$tmp/$${c##*/}" ] || \
	    { echo "check-generated: $$c is not written by tests/kolla_stores/generate.py"; stale=1; }; done; exit $$stale

kolla-parity: dist ## render kolla-ansible 2026.1's glance config files and the role's for each case of tests/kolla_parity/cases.yml; print the table; fail on a difference not in departures.yml
	$(call with_ansible,2.19) && python3 tests/kolla_parity/parity.py

kolla-guide: dist ## docs/kolla-ansible-integration.md on upstream kolla-ansible 2026.1, no containers: the guide's playbook beside its site.yml, multinode inventory, genpwd passwords; precheck (with and without --check) and config
	$(call with_ansible,2.19) && python3 tests/kolla_guide/guide.py

readme-figures: ## put the recorded figures (docs/figures, docs/benchmarks.md) into the README and tests/e2e/README.md
	$(GO) run ./internal/tools/readmefigures

deps: ## install what the tests need (Debian packages), when missing
	@tests/bin/install-deps

unit: ## Go unit tests
	KOLLA_GLANCE_CRON_E2E=1 $(GO) test -count=1 -tags '$(TAGS)' $(call go_select) $(UNIT_PKGS)

integration: deps dist ## real ansible-playbook runs of the modules, on every line of ANSIBLE_MATRIX
	@for v in $(ANSIBLE_MATRIX); do \
	  $(MAKE) --no-print-directory integration-one ANSIBLE_CORE=$$v || exit 1; done

integration-one: deps dist ## the integration suite on one ansible-core line (ANSIBLE_CORE=2.19)
	@start=$$(date +%s); $(call with_ansible,$(ANSIBLE_CORE)) && \
	  echo "integration: ansible-core $$(ansible-playbook --version | sed -n '1s/.*core \([^]]*\)].*/\1/p')" && \
	  $(GO) test -count=1 -tags 'integration $(TAGS)' $(call go_select) -timeout 30m ./tests/integration/... && \
	  echo "integration: ansible-core $(ANSIBLE_CORE) passed in $$(( $$(date +%s) - start )) s"

qemu-protocol: deps dist ## the linux aarch64 binary under qemu-aarch64-static: one JSON object, as the host's binary answers (fails without qemu)
	$(GO) test -count=1 -tags 'qemu $(TAGS)' $(call go_select) ./tests/qemu/

molecule: deps dist ## every molecule scenario (create ... destroy) on real containers
	@mkdir -p $(DISTDIR)
	@echo "molecule: ansible-core $(ANSIBLE_CORE)"
	@$(call with_ansible,$(ANSIBLE_CORE)) && $(suite) molecule $(DISTDIR)/molecule.log SHOW '^(=== RUN|--- |\s+[a-z-]+ +[0-9.]+s|PASS|FAIL|ok)' -- \
	  $(GO) test -count=1 -tags 'molecule $(TAGS)' -timeout 60m -v \
	  $(call go_select,-run 'TestConfigFollowsMolecule|TestEveryScenarioLoads|TestScenarios') ./tests/molecule/
	@$(call record,molecule)

test: deps clear-skips check-generated kolla-parity kolla-guide lint suite-status unit integration qemu-protocol molecule reliability e2e ## the whole test suite
	@[ -z '$(RUN)' ] || echo "make test: narrowed by RUN=$(RUN): no figures recorded"
	@if [ -s $(KOLLA_GLANCE_SKIP_LOG) ]; then \
	  echo "make test: all suites passed; skipped (KOLLA_GLANCE_MAY_SKIP): $$(paste -sd, $(KOLLA_GLANCE_SKIP_LOG))"; \
	else echo "make test: all suites passed; skipped: none"; fi

suite-status: deps dist ## each suite's deliberately failing test fails its target and make test (tests/suitestatus)
	@$(suite) suite-status $(DISTDIR)/suite-status.log SHOW '^(=== RUN|\s*--- |\s+status_test.go|ok|FAIL)' -- \
	  $(GO) test -count=1 -v -tags suitestatus -timeout 30m ./tests/suitestatus/

clear-skips:
	@mkdir -p $(DISTDIR) && rm -f $(KOLLA_GLANCE_SKIP_LOG)

lint: deps dist ## go vet, staticcheck, gofmt, yamllint, ansible-lint, ansible-test sanity (offline tests)
	$(GO) vet ./...
	$(GO) vet -tags 'integration molecule reliability e2e bench qemu deliberate suitestatus' ./tests/...
	$(GO) run $(STATICCHECK) ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	yamllint -s .
	ansible-lint --profile production roles/ molecule/ tests/integration/targets/ tests/demo/ tests/e2e/ tests/bench/ docs/examples/
	tests/bin/sanity

collection: generate dist ## build the collection tarball into dist/
	@mkdir -p $(DISTDIR)
	ansible-galaxy collection build --force --output-path $(DISTDIR) .

demo: deps dist ## run the modules on the built-in example; output under a scratch dir
	@$(call with_ansible,$(ANSIBLE_CORE)) && tests/bin/demo

# make bench times every playbook on these ansible-core lines, the default first.
BENCH_LINES ?= $(ANSIBLE_CORE) $(filter-out $(ANSIBLE_CORE),2.14)

bench: deps dist ## measured speed and size against the Python equivalents, on BENCH_LINES (2.19 and 2.14)
	@BENCH_LINES="$(BENCH_LINES)" tests/bin/bench

release: check-generated collection ## the collection tarball and its SHA256SUMS in dist/
	@got=$$($(HOST_BIN) --version); \
	  [ "$$got" = "kolla.glance $(VERSION)" ] || { echo "release: $(HOST_BIN) reports '$$got', galaxy.yml says $(VERSION)"; exit 1; }
	cd $(DISTDIR) && sha256sum kolla-glance-$(VERSION).tar.gz > SHA256SUMS && cat SHA256SUMS

# go test -fuzz takes one target per run: package:target pairs.
FUZZ_TARGETS := ./internal/ansible:FuzzDecodeArgs ./internal/glance/cachejobs:FuzzParseFile ./internal/glance/cachejobs:FuzzParseSchedule \
  ./internal/modules/backends:FuzzBackendsArgs ./internal/modules/backends:FuzzBackendsTyped \
  ./internal/modules/upgradeplan:FuzzUpgradePlanArgs ./internal/modules/upgradeplan:FuzzUpgradePlanTyped \
  ./internal/modules/cachecron:FuzzCacheCronArgs ./internal/modules/cachecron:FuzzCacheCronTyped
FUZZTIME ?= 15s

reliability: deps dist ## bounded fuzzing, the hostile-input corpus on every binary, crash safety
	@if [ -n '$(RUN)' ]; then echo "reliability: RUN=$(RUN) narrows the suite: no fuzzing"; \
	else for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "fuzz $$fn ($$pkg, $(FUZZTIME))"; \
	  GO=$(GO) tests/bin/fuzz $$pkg $$fn $(FUZZTIME) || exit 1; done; fi
	@$(suite) reliability $(DISTDIR)/reliability.log SHOW '^(hostile corpus:|\s+--- |--- |ok|FAIL)' -- \
	  $(GO) test -count=1 -v -tags 'reliability $(TAGS)' $(call go_select) ./tests/reliability/
	@$(suite) crash $(DISTDIR)/crash.log SHOW '^\s+crash_test.go|^(ok|FAIL|---)' -- \
	  $(GO) test -count=1 -v -tags 'reliability $(TAGS)' $(call go_select) ./tests/crash/

e2e: deps dist ## zero failed requests during a rolling upgrade (file store and Ceph), and a cache pruned by cron
	@mkdir -p $(DISTDIR)
	@echo "e2e: ansible-core $(ANSIBLE_CORE)"
	@$(call with_ansible,$(ANSIBLE_CORE)) && $(suite) e2e $(DISTDIR)/e2e.log HIDE '^\s+(TASK|PLAY|ok:|changed:|skipping:|included:)' -- \
	  $(GO) test -count=1 -tags 'e2e $(TAGS)' -timeout 60m -v $(call go_select,-skip 'TestRollingUpgradeResumes') ./tests/e2e/
	@$(call record,e2e)
	@[ -n '$(RUN)' ] || echo "e2e ran $${KOLLA_GLANCE_E2E_KILL_TRIALS:-3} controller-kill trials (seed in the table above); left to make e2e-kill: the full set of 10 and TestRollingUpgradeResumes"

e2e-kill: deps dist ## the full set of controller-kill trials (10, every kind of step) and the two fixed kills; KOLLA_GLANCE_E2E_KILL_SEED replays a draw
	@mkdir -p $(DISTDIR)
	@echo "e2e-kill: ansible-core $(ANSIBLE_CORE), $${KOLLA_GLANCE_E2E_KILL_TRIALS:-10} trials"
	@$(call with_ansible,$(ANSIBLE_CORE)) && KOLLA_GLANCE_E2E_KILL_TRIALS=$${KOLLA_GLANCE_E2E_KILL_TRIALS:-10} KOLLA_GLANCE_FIGURES_SUITE=e2e-kill \
	  $(suite) e2e-kill $(DISTDIR)/e2e-kill.log HIDE '^\s+(TASK|PLAY|ok:|changed:|skipping:|included:)' -- \
	  $(GO) test -count=1 -tags 'e2e $(TAGS)' -timeout 80m -v $(call go_select,-run 'TestRollingUpgradeKillTrials|TestRollingUpgradeResumes') ./tests/e2e/
	@$(call record,e2e-kill)

clean: ## remove build output
	rm -rf $(DISTDIR)
	find plugins/modules -maxdepth 1 -type f ! -name '*.py' -delete
