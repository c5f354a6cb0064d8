# Thin wrappers over Maven and the scripts; see README.md.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
# The second JDK the integration tests run on (a machine of this kind has Temurin 25 here).
JDK25_HOME ?= $(firstword $(wildcard /usr/lib/jvm/temurin-25-jdk*) $(wildcard /usr/lib/jvm/java-25-openjdk*))

.PHONY: build test test-jdk17 demo bench clean

build:
	$(MVN) -q install -DskipTests

## Unit tests, then every integration test on the default JDK (17) and again on JDK 25, then a
## short sample of the benchmarks (proves they run with a live agent; its figures mean nothing).
test:
	@if [ -z "$(JDK25_HOME)" ]; then echo "make test: no JDK 25 under /usr/lib/jvm; set JDK25_HOME=/path/to/jdk-25" >&2; exit 1; fi
	$(MVN) clean install -Djdk25.home=$(JDK25_HOME)
	benchmarks/run.sh --quick

## The same without the JDK 25 pass, for a quicker loop while developing.
test-jdk17:
	$(MVN) clean install

## Builds, starts the test service with the agent, drives its faulty endpoints, prints the report.
demo: build
	test-apps/demo.sh

## JMH, wrk load (servlet, Netty, event loop) and Spring Boot start-up, each with and without the agent;
## writes the tables quoted in docs/performance.md (under benchmarks/target). Needs wrk (Debian package).
bench: build
	benchmarks/run.sh
	benchmarks/http-load.sh
	benchmarks/event-loop-load.sh
	benchmarks/spring-startup.sh

clean:
	$(MVN) -q clean
