#!/usr/bin/env bash
# Runs the whole test suite: `mvn -B verify` on the default JDK (17), with the javadoc jars built
# and checked by doclint (-Pjavadoc: a broken link or bad HTML fails), then again on the JDK 25
# under /usr/lib/jvm/temurin-25* when present. `./test.sh --quick` runs on the default JDK only.
set -euo pipefail
cd "$(dirname "$0")"

quick=false
if [ "${1:-}" = "--quick" ]; then quick=true; fi

mvn -B -ntp -Pjavadoc verify

if ! $quick; then
  for jdk in /usr/lib/jvm/temurin-25*; do
    if [ -x "$jdk/bin/java" ]; then
      echo "== Running the test suite again on $jdk =="
      JAVA_HOME="$jdk" mvn -B -ntp verify
      break
    fi
  done
fi
