#!/usr/bin/env bash
# Builds the embedded real-material tri-modal set "digits-speech" reproducibly from Debian packages:
#   images: python3-sklearn's digits.csv.gz; speech: espeak-ng; features computed in Java.
# Usage: datavec-readers/scripts/build-digits-speech.sh [out-dir]
#   SEED=20250725 (default) sets the seed; MVN_ARGS="-o" builds offline.
# The default out-dir is the committed classpath resource, so rerunning with the same seed and
# package versions rewrites the same bytes (compare with the sha256 list in PROVENANCE).
set -euo pipefail
cd "$(dirname "$0")/../.."
SEED="${SEED:-20250725}"
OUT="${1:-datavec-readers/src/main/resources/org/dl4jpgm/datavec/embedded/digits-speech}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! command -v espeak-ng >/dev/null 2>&1 || ! dpkg -L python3-sklearn >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends espeak-ng python3-sklearn
fi
DIGITS="$(dpkg -L python3-sklearn | grep '/digits\.csv\.gz$' | head -1)"
if [ -z "$DIGITS" ]; then echo "digits.csv.gz not found in python3-sklearn" >&2; exit 1; fi
echo "digits: $DIGITS"
dpkg-query -W python3-sklearn espeak-ng espeak-ng-data

mvn -B -q ${MVN_ARGS:-} -pl datavec-readers -am compile
mvn -B -q ${MVN_ARGS:-} -pl datavec-readers dependency:build-classpath -Dmdep.outputFile=target/build-digits-speech.cp
rm -rf "$OUT"
java -Xmx1g -Dorg.bytedeco.javacpp.maxbytes=1G -Dorg.bytedeco.javacpp.maxphysicalbytes=2G \
  -cp "datavec-readers/target/classes:$(cat datavec-readers/target/build-digits-speech.cp)" \
  org.dl4jpgm.datavec.embedded.DigitsSpeechBuilder --digits "$DIGITS" --out "$OUT" --seed "$SEED"
du -sh "$OUT"
