#!/usr/bin/env bash
# The one test command: the README and CI (.ci/run) both run exactly this.
# It restores packages, builds everything (warnings are errors) and runs every test project.
# Servers the tests need (nats-server, clickhouse-server, chromium) are installed here when the
# first test that needs one lands.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet restore Auditrail.slnx
dotnet build Auditrail.slnx --no-restore -c Release
dotnet test Auditrail.slnx --no-build -c Release
