// SPDX-License-Identifier: GPL-3.0-or-later
// The Meshcraft side of tests/bench/relay_bench.sh (not a test, not run by CI).
//
//   meshcraft_relay_bench serve --redis-port N [--hops 1|2] [--observe]
//       Runs the relay with busybox's sidecar (and, for 2 hops, the egress gateway on the
//       step-11 route) and a tunnel entry to 10.59.118.59:6379; prints "PORT <tunnel port>" and
//       "PID <pid>", then relays until SIGINT or SIGTERM.
//   meshcraft_relay_bench hold --port P --count N
//       Opens N connections to 127.0.0.1:P, checks each with PING, prints "HELD N", then holds
//       them idle until SIGINT or SIGTERM.
//   meshcraft_relay_bench swap --redis-port N [--rounds R] [--service-entries K]
//       Measures how soon a new connection sees a pushed snapshot (REGISTRY_ONLY on and off), and
//       the swap time of a snapshot with K ServiceEntry listeners.

#include "core/mesh/address_map.h"
#include "core/mesh/capture.h"
#include "core/relay/engine.h"
#include "tests/support/lab_snapshots.h"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace meshcraft::core;
namespace lab = meshcraft::tests::lab;

namespace {

constexpr auto Busybox = "busybox.default";
constexpr auto Gateway = "istio-egressgateway.istio-system";

std::map<std::string, std::string> parseArgs(int argc, char **argv)
{
    std::map<std::string, std::string> args;
    for (int i = 2; i < argc; ++i) {
        const std::string key = argv[i];
        const bool hasValue = i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0;
        args[key] = hasValue ? argv[++i] : "1";
    }
    return args;
}

int argInt(const std::map<std::string, std::string> &args, const std::string &key, int fallback)
{
    const auto it = args.find(key);
    return it == args.end() ? fallback : std::atoi(it->second.c_str());
}

/// Blocks until SIGINT or SIGTERM.
void waitForSignal()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int signal = 0;
    sigwait(&set, &signal);
}

void blockSignals()
{
    // Before any thread starts, so every thread inherits the mask and sigwait() gets them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

class CountingObserver final : public relay::ConnectionObserver
{
public:
    void onConnectionEvents(const std::vector<relay::ConnectionEvent> &events) override
    {
        m_events += events.size();
    }
    std::atomic<std::size_t> m_events{0};
};

struct Relay
{
    std::shared_ptr<net::AddressMap> map = std::make_shared<net::AddressMap>();
    std::unique_ptr<relay::Engine> engine;

    Relay(std::uint16_t redisPort, int hops)
    {
        relay::EngineOptions options;
        options.addressMap = map;
        engine = std::make_unique<relay::Engine>(options);
        map->setEndpoint({lab::MemorystoreIp, lab::RedisPort}, redisPort);
        auto busybox = lab::sidecar(Busybox, false);
        if (hops == 2) {
            lab::addServiceEntry(busybox);
            lab::addGatewaySubsetCluster(busybox);
            lab::routeViaGateway(busybox);
        }
        engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp}, lab::share(busybox));
        engine->addProxy({Gateway, relay::ProxyKind::Gateway, lab::GatewayIp},
                         lab::share(lab::gateway(hops == 2)));
    }
};

int serve(const std::map<std::string, std::string> &args)
{
    const int redisPort = argInt(args, "--redis-port", 0);
    if (redisPort <= 0) {
        std::fprintf(stderr, "serve needs --redis-port\n");
        return 2;
    }
    Relay relay(static_cast<std::uint16_t>(redisPort), argInt(args, "--hops", 1));
    auto observer = std::make_shared<CountingObserver>();
    if (args.contains("--observe")) {
        relay.engine->addObserver(observer);
    }
    const auto port =
        relay.engine->openTunnel(Busybox, {lab::MemorystoreIp, lab::RedisPort}, "127.0.0.1",
                                 static_cast<std::uint16_t>(argInt(args, "--listen-port", 0)));
    if (!port) {
        std::fprintf(stderr, "%s\n", port.error().message.c_str());
        return 1;
    }
    std::printf("PORT %u\nPID %d\n", unsigned(*port), int(::getpid()));
    std::fflush(stdout);
    waitForSignal();
    const auto stats = relay.engine->stats(Busybox);
    std::fprintf(stderr, "downstream_cx_total %llu, events %zu\n",
                 static_cast<unsigned long long>(stats.downstreamCxTotal),
                 observer->m_events.load());
    relay.engine->stop();
    return 0;
}

int connectTo(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool ping(int fd)
{
    if (::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) != 6) {
        return false;
    }
    char reply[7];
    std::size_t got = 0;
    while (got < sizeof reply) {
        const auto n = ::recv(fd, reply + got, sizeof reply - got, 0);
        if (n <= 0) {
            return false;
        }
        got += static_cast<std::size_t>(n);
    }
    return std::memcmp(reply, "+PONG\r\n", 7) == 0;
}

int hold(const std::map<std::string, std::string> &args)
{
    const int port = argInt(args, "--port", 0);
    const int count = argInt(args, "--count", 0);
    std::vector<int> fds;
    for (int i = 0; i < count; ++i) {
        const int fd = connectTo(static_cast<std::uint16_t>(port));
        if (fd < 0 || !ping(fd)) {
            std::fprintf(stderr, "connection %d failed: %s\n", i, std::strerror(errno));
            return 1;
        }
        fds.push_back(fd);
    }
    std::printf("HELD %d\n", count);
    std::fflush(stdout);
    waitForSignal();
    for (int fd : fds) {
        ::close(fd);
    }
    return 0;
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(p * double(values.size() - 1))];
}

int swap(const std::map<std::string, std::string> &args)
{
    const int redisPort = argInt(args, "--redis-port", 0);
    const int rounds = argInt(args, "--rounds", 200);
    const int entries = argInt(args, "--service-entries", 1000);
    Relay relay(static_cast<std::uint16_t>(redisPort), 1);
    net::Capture capture(relay.map);
    const xds::SocketAddress memorystore{lab::MemorystoreIp, lab::RedisPort};
    using Clock = std::chrono::steady_clock;
    std::vector<double> visible;
    for (int i = 0; i < rounds; ++i) {
        const bool block = i % 2 == 0;
        auto next = lab::sidecar(Busybox, block);
        next.version = std::uint64_t(i) + 2;
        auto shared = lab::share(std::move(next));
        const auto start = Clock::now();
        relay.engine->updateSnapshot(Busybox, shared); // the apply
        auto c = capture.connect(lab::BusyboxIp, {memorystore.ip, memorystore.port},
                                 std::chrono::milliseconds(1000));
        if (!c) {
            return 1;
        }
        // Blocked: the relay closes it at once. Allowed: PING gets PONG.
        bool ok = false;
        if (block) {
            pollfd pfd{c->fd, POLLIN, 0};
            char byte;
            ok = ::poll(&pfd, 1, 1000) == 1 && ::recv(c->fd, &byte, 1, 0) == 0;
        } else {
            ok = ping(c->fd);
        }
        const double micros =
            std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        ::close(c->fd);
        if (!ok) {
            const auto stats = relay.engine->stats(Busybox);
            std::printf("round %d (%s): new connection did not see the pushed policy; snapshot "
                        "%llu, errno %d\n",
                        i, block ? "blocked" : "allowed",
                        static_cast<unsigned long long>(stats.snapshotVersion), errno);
            for (const auto &[name, value] : stats.envoyStats()) {
                if (value != 0) {
                    std::printf("  %s %llu\n", name.c_str(),
                                static_cast<unsigned long long>(value));
                }
            }
            return 1;
        }
        visible.push_back(micros);
    }
    std::printf("swap_visible_us p50 %.0f p99 %.0f max %.0f (%d rounds, each: push, then a new "
                "connection decided by it)\n",
                percentile(visible, 0.5), percentile(visible, 0.99),
                *std::max_element(visible.begin(), visible.end()), rounds);

    // A push with many ServiceEntries: swap time, and what matching a connection then costs.
    auto big = lab::sidecar(Busybox, true);
    for (int i = 0; i < entries; ++i) {
        const xds::Ipv4 ip = *xds::parseIpv4("10.60.0.0") + xds::Ipv4(i);
        const std::string cluster = "outbound|6379||se-" + std::to_string(i) + ".example";
        big.listeners.push_back(lab::tcpListener({ip, 6379}, cluster, {}));
        xds::Cluster c;
        c.name = cluster;
        c.type = xds::DiscoveryType::OriginalDst;
        big.clusters.push_back(c);
    }
    lab::addServiceEntry(big);
    auto bigShared = lab::share(std::move(big));
    const auto start = Clock::now();
    relay.engine->updateSnapshot(Busybox, bigShared);
    relay.engine->flush();
    const double swapMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    // What matching a connection costs against it: the linear scan, and the relay's index.
    constexpr int Matches = 10000;
    std::size_t found = 0;
    auto matchStart = Clock::now();
    for (int i = 0; i < Matches; ++i) {
        const auto m =
            xds::matchConnection(*bigShared, xds::TrafficDirection::Outbound, memorystore);
        found += m.status == xds::MatchStatus::Matched ? 1 : 0;
    }
    const double scanUs =
        std::chrono::duration<double, std::micro>(Clock::now() - matchStart).count() / Matches;
    const xds::SnapshotIndex index(*bigShared);
    matchStart = Clock::now();
    for (int i = 0; i < Matches; ++i) {
        const auto m = xds::matchConnection(index, xds::TrafficDirection::Outbound, memorystore);
        found += m.status == xds::MatchStatus::Matched ? 1 : 0;
    }
    const double indexUs =
        std::chrono::duration<double, std::micro>(Clock::now() - matchStart).count() / Matches;
    std::printf("swap_%d_service_entries_ms %.3f (push + flush, snapshot already compiled, index "
                "built); match_us per connection: scan %.2f, index %.3f (%zu)\n",
                entries, swapMs, scanUs, indexUs, found);
    relay.engine->stop();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    blockSignals();
    const std::string mode = argc > 1 ? argv[1] : "";
    const auto args = parseArgs(argc, argv);
    if (mode == "serve") {
        return serve(args);
    }
    if (mode == "hold") {
        return hold(args);
    }
    if (mode == "swap") {
        return swap(args);
    }
    std::fprintf(stderr, "usage: meshcraft_relay_bench serve|hold|swap ...\n");
    return 2;
}
