// SPDX-License-Identifier: GPL-3.0-or-later
// Times the control plane: compile every proxy's snapshot and publish the set, with N
// ServiceEntries in the store (default 1,000) on top of the lab's step-11 world. Run by hand;
// the numbers go to tests/bench/RESULTS-xds.md.
#include "core/xds/control_plane.h"
#include "tests/support/mesh_world.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

using namespace meshcraft::core;
using meshcraft::tests::world::World;
namespace world = meshcraft::tests::world;
using Clock = std::chrono::steady_clock;

/// Like the workshop's entry: half STATIC with an endpoint, half NONE, one TCP port.
std::string serviceEntries(int count)
{
    std::string text;
    for (int i = 0; i < count; ++i) {
        const std::string ip =
            "10.60." + std::to_string(i / 250) + '.' + std::to_string(i % 250 + 1);
        text += "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata:\n"
                "  name: bench-" +
                std::to_string(i) +
                "\n  namespace: default\nspec:\n"
                "  hosts:\n  - bench-" +
                std::to_string(i) +
                ".example.com\n"
                "  addresses:\n  - " +
                ip + "\n  ports:\n  - number: " + std::to_string(6000 + i % 50) +
                "\n    name: tcp-bench\n    protocol: TCP\n"
                "  location: MESH_EXTERNAL\n";
        if (i % 2 == 0) {
            text += "  resolution: STATIC\n  endpoints:\n  - address: " + ip + "\n";
        }
        text += "---\n";
    }
    return text;
}

/// Stands in for the relay: keeps the set, as an atomic swap would.
class KeepingSink : public xds::SnapshotSink
{
public:
    void onSnapshots(const xds::SnapshotSet &set) override { kept = set; }
    xds::SnapshotSet kept;
};

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

/// This thread's CPU time: what the work costs, whatever else the machine runs.
double cpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

void report(const char *what, std::vector<double> samples)
{
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples[static_cast<std::size_t>(q * double(samples.size() - 1))];
    };
    std::printf("%-48s median %7.2f ms   p90 %7.2f ms   max %7.2f ms   (n=%zu)\n", what, at(0.5),
                at(0.9), samples.back(), samples.size());
}

} // namespace

int main(int argc, char **argv)
{
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 30;

    World w;
    w.install("REGISTRY_ONLY", true);
    w.apply(world::Step11, "redis-egress.yaml");
    config::ApplyOptions options;
    options.validate = false;
    const auto applied =
        w.store.applyText(serviceEntries(count), "bench.yaml", config::ApplyMode::Batch, options);
    if (!applied.ok()) {
        std::fprintf(stderr, "the generated ServiceEntries were refused\n");
        return 1;
    }

    KeepingSink sink;
    xds::ControlPlane plane(w.store, *w.topology, &sink);
    std::size_t listeners = 0;
    std::size_t clusters = 0;
    for (const auto &snapshot : sink.kept.snapshots) {
        listeners += snapshot->listeners.size();
        clusters += snapshot->clusters.size();
    }
    std::printf("%d ServiceEntries, %zu proxies, %zu listeners and %zu clusters in all\n", count,
                sink.kept.snapshots.size(), listeners, clusters);

    std::vector<double> push;
    std::vector<double> pushCpu;
    for (int i = 0; i < rounds; ++i) {
        const double cpu = cpuMs();
        const auto start = Clock::now();
        plane.push();
        push.push_back(ms(Clock::now() - start));
        pushCpu.push_back(cpuMs() - cpu);
    }
    report("compile + publish (ControlPlane::push), wall", push);
    report("compile + publish (ControlPlane::push), CPU", pushCpu);

    // A learner's apply, end to end: the store write, the topology settling, the push.
    std::vector<double> apply;
    std::vector<double> applyCpu;
    for (int i = 0; i < rounds; ++i) {
        const std::string mode = i % 2 == 0 ? "ALLOW_ANY" : "REGISTRY_ONLY";
        const double cpu = cpuMs();
        const auto start = Clock::now();
        w.apply(world::meshConfigMap(mode), "istio-configmap.yaml");
        apply.push_back(ms(Clock::now() - start));
        applyCpu.push_back(cpuMs() - cpu);
    }
    report("apply of the mesh ConfigMap -> push, wall", apply);
    report("apply of the mesh ConfigMap -> push, CPU", applyCpu);
    return 0;
}
