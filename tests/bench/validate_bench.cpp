// SPDX-License-Identifier: GPL-3.0-or-later
// Validates a generated file of 1,000 ServiceEntries (or N: meshcraft_validate_bench [N]) with
// the loader, the CRD schema and, when built, Istio's webhook rules; prints wall times and the
// peak resident set size. Not a test: timings depend on the machine.
#include "core/config/crd_schema.h"
#include "core/config/resource.h"
#include "core/config/schema_validation.h"
#ifdef MESHCRAFT_BENCH_WEBHOOK
#include "core/config/istio_validation.h"
#endif

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace meshcraft::core;
using namespace meshcraft::core::config;

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

long peakRssKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss; // KiB on Linux
}

// One ServiceEntry per external service, shaped like the workshop's, with a few variations so
// every CEL rule and most structural checks have something to look at.
std::string serviceEntries(int count)
{
    std::string text;
    text.reserve(static_cast<std::size_t>(count) * 520);
    for (int i = 0; i < count; ++i) {
        const std::string n = std::to_string(i);
        const std::string ip = "10." + std::to_string(i / 65536 % 256) + "." +
                               std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
        text += "---\napiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata:\n"
                "  name: external-" + n + "\n  namespace: default\n  labels:\n    app: svc-" + n +
                "\nspec:\n  hosts:\n  - svc-" + n + ".example.com\n  addresses:\n  - " + ip +
                "\n  ports:\n  - number: 6379\n    name: tcp-redis\n    protocol: TCP\n"
                "  - number: 443\n    name: tls\n    protocol: TLS\n  location: MESH_EXTERNAL\n";
        if (i % 2 == 0) {
            text += "  resolution: STATIC\n  endpoints:\n  - address: " + ip +
                    "\n    ports:\n      tcp-redis: 6379\n    weight: 1\n";
        } else {
            text += "  resolution: NONE\n  exportTo:\n  - \".\"\n";
        }
    }
    return text;
}

} // namespace

int main(int argc, char **argv)
{
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    if (count <= 0) {
        std::fprintf(stderr, "usage: %s [number of ServiceEntries]\n", argv[0]);
        return 2;
    }
    const long rssAtStart = peakRssKiB();
    auto start = Clock::now();
    const std::string text = serviceEntries(count);
    const double generateMs = millisecondsSince(start);

    start = Clock::now();
    if (const auto problem = preloadCrdSchemas()) {
        std::fprintf(stderr, "cannot load the CRD schemas: %s\n", problem->message.c_str());
        return 1;
    }
    const double schemaLoadMs = millisecondsSince(start);
    const long rssAfterSchema = peakRssKiB();

    const auto total = Clock::now();
    start = Clock::now();
    const ParseResult parsed = parseResources(text, "bench.yaml");
    const double loadMs = millisecondsSince(start);

    start = Clock::now();
    std::size_t schemaDiagnostics = 0;
    for (const Resource &resource : parsed.resources) {
        schemaDiagnostics += validateAgainstSchema(resource).size();
    }
    const double schemaMs = millisecondsSince(start);

    double webhookMs = -1;
    std::size_t webhookDiagnostics = 0;
#ifdef MESHCRAFT_BENCH_WEBHOOK
    start = Clock::now();
    for (const Resource &resource : parsed.resources) {
        webhookDiagnostics += validateIstioResource(resource).size();
    }
    webhookMs = millisecondsSince(start);
#endif
    const double totalMs = millisecondsSince(total);

    std::printf("ServiceEntries            %d (%zu bytes of YAML, generated in %.1f ms)\n",
                count, text.size(), generateMs);
    std::printf("resources loaded          %zu, %zu load diagnostics\n", parsed.resources.size(),
                parsed.diagnostics.size());
    std::printf("CRD schema parse (once)   %8.1f ms\n", schemaLoadMs);
    std::printf("load (YAML -> resources)  %8.1f ms\n", loadMs);
    std::printf("CRD schema + CEL checks   %8.1f ms  (%zu diagnostics)\n", schemaMs,
                schemaDiagnostics);
    if (webhookMs >= 0) {
        std::printf("webhook rules             %8.1f ms  (%zu diagnostics)\n", webhookMs,
                    webhookDiagnostics);
    } else {
        std::printf("webhook rules             not built in\n");
    }
    std::printf("load + validate           %8.1f ms\n", totalMs);
    std::printf("peak RSS                  %8ld KiB (at start %ld KiB, after schema parse %ld KiB)\n",
                peakRssKiB(), rssAtStart, rssAfterSchema);
    return parsed.diagnostics.empty() ? 0 : 1;
}
