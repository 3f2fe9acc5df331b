// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/mesh/address_map.h"
#include "core/mesh/capture.h"
#include "core/mesh/proxy_protocol.h"
#include "core/relay/access_log.h"
#include "core/relay/engine.h"
#include "tests/support/echo_upstream.h"
#include "tests/support/lab_snapshots.h"
#include "tests/support/redis_server.h"
#include "tests/support/tsan_qt_suppressions.h"

#include <QtTest>
#include <atomic>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <poll.h>
#include <thread>

using namespace meshcraft::core;
using relay::ConnectionEvent;
using relay::Engine;
namespace lab = meshcraft::tests::lab;
using meshcraft::tests::EchoUpstream;
using meshcraft::tests::readAtLeast;
using meshcraft::tests::sendAll;

namespace {

constexpr auto Busybox = "busybox.default";
constexpr auto Gateway = "istio-egressgateway.istio-system";
constexpr auto RedisCart = "redis-cart.default";
const xds::SocketAddress MemorystoreRedis{lab::MemorystoreIp, lab::RedisPort};
const net::Address MemorystoreNet{lab::MemorystoreIp, lab::RedisPort};

class RecordingObserver final : public relay::ConnectionObserver
{
public:
    // Interface
    void onConnectionEvents(const std::vector<ConnectionEvent> &events) override
    {
        std::lock_guard lock(m_mutex);
        m_events.insert(m_events.end(), events.begin(), events.end());
    }

    std::vector<ConnectionEvent> of(ConnectionEvent::Kind kind) const
    {
        std::lock_guard lock(m_mutex);
        std::vector<ConnectionEvent> out;
        for (const auto &e : m_events) {
            if (e.kind == kind) {
                out.push_back(e);
            }
        }
        return out;
    }
    std::size_t count(ConnectionEvent::Kind kind) const { return of(kind).size(); }
    std::vector<ConnectionEvent> closedOfTrace(std::uint64_t traceId) const
    {
        std::vector<ConnectionEvent> out;
        for (const auto &e : of(ConnectionEvent::Kind::Closed)) {
            if (e.traceId == traceId) {
                out.push_back(e);
            }
        }
        return out;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<ConnectionEvent> m_events;
};

/// The lab's network: a relay engine, the address map, and busybox's capture.
struct World
{
    std::shared_ptr<net::AddressMap> map = std::make_shared<net::AddressMap>();
    std::shared_ptr<RecordingObserver> observer = std::make_shared<RecordingObserver>();
    std::unique_ptr<Engine> engine;
    net::Capture capture{map};

    explicit World(std::size_t chunk = 64 * 1024)
    {
        relay::EngineOptions options;
        options.addressMap = map;
        options.readChunkSize = chunk;
        options.resolver = [](std::string_view host) -> std::optional<xds::Ipv4> {
            if (host == "redis-cart.default.svc.cluster.local") {
                return lab::RedisCartClusterIp;
            }
            return std::nullopt; // redis.domain does not resolve (D8)
        };
        engine = std::make_unique<Engine>(options);
        engine->addObserver(observer);
    }

    /// Opens a connection from busybox, as its telnet would. -1 on failure.
    int open(xds::SocketAddress destination, xds::Ipv4 from = lab::BusyboxIp)
    {
        auto c = capture.connect(from, {destination.ip, destination.port},
                                 std::chrono::milliseconds(2000));
        return c ? c->fd : -1;
    }
};

bool pingPong(int fd)
{
    return sendAll(fd, "PING\r\n") && readAtLeast(fd, 7) == "+PONG\r\n";
}

/// True when the peer closes (EOF or reset) within `timeoutMs`.
bool closedByPeer(int fd, int timeoutMs = 3000)
{
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, timeoutMs) <= 0) {
        return false;
    }
    char c;
    return ::recv(fd, &c, 1, 0) <= 0;
}

int recvError(int fd, int timeoutMs = 3000)
{
    pollfd pfd{fd, POLLIN, 0};
    ::poll(&pfd, 1, timeoutMs);
    char c;
    const auto n = ::recv(fd, &c, 1, 0);
    return n < 0 ? errno : 0;
}

void resetClose(int fd)
{
    const linger hard{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(fd);
}

int openFdCount()
{
    int count = 0;
    if (DIR *dir = ::opendir("/proc/self/fd")) {
        while (::readdir(dir)) {
            ++count;
        }
        ::closedir(dir);
    }
    return count;
}

xds::MeshSettings testSettings()
{
    xds::MeshSettings s;
    s.accessLog = true;
    s.connectTimeout = std::chrono::milliseconds(300);
    s.drainDuration = std::chrono::milliseconds(400);
    return s;
}

QString flagsOf(const ConnectionEvent &e)
{
    return QString::fromStdString(relay::formatResponseFlags(e.flags));
}

} // namespace

class tst_Relay : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void accessLogFormat_data();
    void accessLogFormat();
    void labStates_data();
    void labStates();
    void drainingAfterSwap();
    void unchangedChainIsUntouched();
    void halfCloseClientFirst();
    void halfCloseUpstreamFirst();
    void resetPassedOn_data();
    void resetPassedOn();
    void slowReaderKeepsMemoryBounded();
    void upstreamRefusedIsUF();
    void realConnectRefusedIsUF_data();
    void realConnectRefusedIsUF();
    void connectTimeoutIsUF();
    void gatewayPortWithoutListenerIsUF();
    void noFilterChainIsNR();
    void unresolvedDnsClusterIsUH();
    void idleTimeoutCloses();
    void badProxyHeaderClosedAndCounted_data();
    void badProxyHeaderClosedAndCounted();
    void tunnelAddsNoHop();
    void tunnelRefusesNonLoopback();
    void twoThousandConcurrent();
    void twentyThousandWithoutFdLeak();
    void swapUnderLoad();
    void pushSeenByNextConnection();
    void stopClosesEverything();

private:
    void setUpLab(World &world, std::shared_ptr<const xds::ProxySnapshot> busybox,
                  bool gatewayRoute);

    std::unique_ptr<meshcraft::tests::RedisServer> m_redis;
};

void tst_Relay::initTestCase()
{
    m_redis = std::make_unique<meshcraft::tests::RedisServer>();
    QVERIFY2(m_redis->ok(), m_redis->error().c_str());
}

void tst_Relay::cleanupTestCase()
{
    m_redis.reset();
}

void tst_Relay::setUpLab(World &world, std::shared_ptr<const xds::ProxySnapshot> busybox,
                         bool gatewayRoute)
{
    world.map->setEndpoint({lab::MemorystoreIp, lab::RedisPort}, m_redis->port());
    world.map->setEndpoint({lab::RedisCartPodIp, lab::RedisPort}, m_redis->port());
    world.map->setServiceBackend({lab::RedisCartClusterIp, lab::RedisPort},
                                 {lab::RedisCartPodIp, lab::RedisPort});
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp}, busybox));
    QVERIFY(world.engine->addProxy({Gateway, relay::ProxyKind::Gateway, lab::GatewayIp},
                                   lab::share(lab::gateway(gatewayRoute, testSettings()))));
    auto cart = lab::sidecar(RedisCart, false, testSettings());
    lab::addInbound(cart, lab::RedisCartPodIp, lab::RedisPort);
    QVERIFY(world.engine->addProxy({RedisCart, relay::ProxyKind::Sidecar, lab::RedisCartPodIp},
                                   lab::share(cart)));
}

void tst_Relay::accessLogFormat_data()
{
    QTest::addColumn<int>("flags");
    QTest::addColumn<bool>("upstream");
    QTest::addColumn<QString>("cluster");
    QTest::addColumn<QString>("expected");
    QTest::addRow("registry-only-blackhole")
        << int(relay::ResponseFlag::NoHealthyUpstream) << false << "BlackHoleCluster"
        << R"([2026-08-01T10:25:00.722Z] "- - -" 0 UH - - "-" 0 0 1 - "-" "-" "-" "-" "-" )"
           "BlackHoleCluster - 10.59.118.59:6379 10.8.1.12:41240 - -";
    QTest::addRow("allow-any-passthrough")
        << 0 << true << "PassthroughCluster"
        << R"([2026-08-01T10:25:00.722Z] "- - -" 0 - - - "-" 14 7 1 - "-" "-" "-" "-" )"
           R"("10.59.118.59:6379" PassthroughCluster 10.8.1.12:41234 10.59.118.59:6379 )"
           "10.8.1.12:41240 - -";
}

void tst_Relay::accessLogFormat()
{
    QFETCH(int, flags);
    QFETCH(bool, upstream);
    QFETCH(QString, cluster);
    QFETCH(QString, expected);
    relay::AccessLogEntry e;
    // 2026-08-01T10:25:00.722Z
    e.startTime = std::chrono::system_clock::time_point(std::chrono::milliseconds(1785579900722));
    e.flags = static_cast<relay::ResponseFlags>(flags);
    e.duration = std::chrono::milliseconds(1);
    if (upstream) {
        e.bytesReceived = 14;
        e.bytesSent = 7;
        e.upstreamHost = MemorystoreRedis;
        e.upstreamLocal = xds::SocketAddress{lab::BusyboxIp, 41234};
    }
    e.upstreamCluster = cluster.toStdString();
    e.downstreamLocal = MemorystoreRedis;
    e.downstreamRemote = {lab::BusyboxIp, 41240};
    QCOMPARE(QString::fromStdString(relay::formatAccessLog(e)), expected);
}

enum LabState { AllowAny, RegistryOnly, ServiceEntry, GatewayAndRule, VirtualService, InMesh };

void tst_Relay::labStates_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<bool>("connected");
    QTest::addColumn<QString>("flags");
    QTest::addColumn<QStringList>("proxies");  // the hops, in order
    QTest::addColumn<QStringList>("clusters"); // the cluster each hop chose
    const QString se = QString::fromStdString(lab::ServiceEntryCluster);
    QTest::addRow("step4-allow-any-passthrough")
        << int(AllowAny) << true << "-" << QStringList{Busybox}
        << QStringList{"PassthroughCluster"};
    QTest::addRow("step7-registry-only-blackhole")
        << int(RegistryOnly) << false << "UH" << QStringList{Busybox}
        << QStringList{"BlackHoleCluster"};
    QTest::addRow("step8-service-entry")
        << int(ServiceEntry) << true << "-" << QStringList{Busybox} << QStringList{se};
    QTest::addRow("step10-gateway-and-rule-still-direct")
        << int(GatewayAndRule) << true << "-" << QStringList{Busybox} << QStringList{se};
    QTest::addRow("step11-virtual-service-via-gateway")
        << int(VirtualService) << true << "-" << QStringList{Busybox, Gateway}
        << QStringList{QString::fromStdString(lab::GatewaySubsetCluster), se};
    QTest::addRow("registry-only-redis-cart-through-inbound-sidecar")
        << int(InMesh) << true << "-" << QStringList{Busybox, RedisCart}
        << QStringList{"outbound|6379||redis-cart.default.svc.cluster.local", "inbound|6379||"};
}

void tst_Relay::labStates()
{
    QFETCH(int, state);
    QFETCH(bool, connected);
    QFETCH(QString, flags);
    QFETCH(QStringList, proxies);
    QFETCH(QStringList, clusters);

    auto busybox = lab::sidecar(Busybox, state != AllowAny, testSettings());
    if (state >= ServiceEntry && state != InMesh) {
        lab::addServiceEntry(busybox);
    }
    if (state == GatewayAndRule || state == VirtualService) {
        lab::addGatewaySubsetCluster(busybox);
    }
    if (state == VirtualService) {
        lab::routeViaGateway(busybox);
    }
    if (state == InMesh) {
        lab::addRedisCartService(busybox);
    }
    World world;
    setUpLab(world, lab::share(busybox), state == VirtualService);
    const xds::SocketAddress destination =
        state == InMesh ? xds::SocketAddress{lab::RedisCartClusterIp, lab::RedisPort}
                        : MemorystoreRedis;

    const int fd = world.open(destination);
    QVERIFY(fd >= 0); // through a sidecar, connect() always succeeds
    if (connected) {
        QVERIFY(pingPong(fd));
        ::close(fd);
    } else {
        QVERIFY(closedByPeer(fd)); // "Connection closed by foreign host"
        ::close(fd);
    }
    const auto hops = proxies.size();
    QTRY_VERIFY_WITH_TIMEOUT(
        world.observer->count(ConnectionEvent::Kind::Closed) >= std::size_t(hops), 5000);
    const auto first = world.observer->of(ConnectionEvent::Kind::Closed).front().traceId;
    auto trace = world.observer->closedOfTrace(first);
    QCOMPARE(trace.size(), std::size_t(hops));
    std::sort(trace.begin(), trace.end(),
              [](const auto &a, const auto &b) { return a.connectionId < b.connectionId; });
    for (qsizetype i = 0; i < hops; ++i) {
        const auto &hop = trace[std::size_t(i)];
        QCOMPARE(QString::fromStdString(hop.proxyId), proxies[i]);
        QCOMPARE(QString::fromStdString(hop.decision.cluster), clusters[i]);
        QCOMPARE(flagsOf(hop), flags);
        if (i > 0) {
            // The hop's PROXY header named the previous hop, and its source is that hop's
            // upstream side: one trace can be stitched together.
            QCOMPARE(hop.parentId, trace[std::size_t(i) - 1].connectionId);
            QCOMPARE(hop.downstream, trace[std::size_t(i) - 1].upstreamLocal);
        }
    }
    const auto &firstHop = trace.front();
    QCOMPARE(firstHop.downstream.ip, lab::BusyboxIp);
    QCOMPARE(firstHop.originalDestination, destination);
    const auto busyboxStats = world.engine->stats(Busybox);
    const auto log = world.engine->accessLog(Busybox);
    QCOMPARE(log.size(), std::size_t(1));
    if (!connected) {
        QCOMPARE(busyboxStats.value("cluster.BlackHoleCluster.upstream_cx_none_healthy"), 1u);
        QCOMPARE(firstHop.decision.clusterProvenance.note,
                 std::string("mesh outboundTrafficPolicy REGISTRY_ONLY"));
        const QRegularExpression line(
            R"(^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "- - -" 0 UH - - "-" 0 0 \d+ - "-" "-" )"
            R"("-" "-" "-" BlackHoleCluster - 10\.59\.118\.59:6379 10\.8\.1\.12:\d+ - -$)");
        QVERIFY2(line.match(QString::fromStdString(log.front())).hasMatch(), log.front().c_str());
    } else {
        const auto cluster = "cluster." + clusters.front().toStdString();
        QCOMPARE(busyboxStats.value(cluster + ".upstream_cx_total"), 1u);
        QCOMPARE(busyboxStats.value(cluster + ".upstream_cx_tx_bytes_total"),
                 state == VirtualService || state == InMesh ? 6u + 28u + 11u : 6u);
        QCOMPARE(busyboxStats.value(cluster + ".upstream_cx_rx_bytes_total"), 7u);
        QVERIFY2(QString::fromStdString(log.front()).contains(" 6 7 "), log.front().c_str());
    }
    if (state == ServiceEntry) {
        QCOMPARE(firstHop.decision.listener, std::string("10.59.118.59_6379"));
        QCOMPARE(
            firstHop.decision.listenerProvenance.toString(),
            std::string("ServiceEntry default/redis-serviceentry (redis-serviceentry.yaml:9)"));
    }
    if (state == VirtualService) {
        QCOMPARE(trace[1].originalDestination, (xds::SocketAddress{lab::GatewayIp, 6379}));
        QCOMPARE(trace[1].decision.endpoint, MemorystoreRedis);
        QCOMPARE(world.engine->accessLog(Gateway).size(), std::size_t(1));
    }
    QTRY_COMPARE_WITH_TIMEOUT(world.engine->connectionCountForTest(), std::size_t(0), 5000);
}

void tst_Relay::drainingAfterSwap()
{
    World world;
    setUpLab(world, lab::share(lab::sidecar(Busybox, false, testSettings())), false);
    const int old = world.open(MemorystoreRedis);
    QVERIFY(pingPong(old));

    auto blocked = lab::sidecar(Busybox, true, testSettings());
    blocked.version = 2;
    const auto swapped = std::chrono::steady_clock::now();
    world.engine->updateSnapshot(Busybox, lab::share(blocked));
    // The next new connection sees REGISTRY_ONLY at once.
    const int fresh = world.open(MemorystoreRedis);
    QVERIFY(closedByPeer(fresh));
    ::close(fresh);
    // The established one keeps flowing while it drains...
    QVERIFY(pingPong(old));
    // ...and is closed after drainDuration (400 ms), not before.
    QVERIFY(closedByPeer(old, 5000));
    const auto elapsed = std::chrono::steady_clock::now() - swapped;
    QVERIFY2(elapsed >= std::chrono::milliseconds(390),
             qPrintable(QString::number(
                 std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count())));
    ::close(old);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(2),
                              5000);
    bool drained = false;
    for (const auto &e : world.observer->of(ConnectionEvent::Kind::Closed)) {
        drained = drained || (e.detail == "drained" && e.decision.cluster == "PassthroughCluster");
    }
    QVERIFY(drained);
}

void tst_Relay::unchangedChainIsUntouched()
{
    World world;
    auto withEntry = lab::sidecar(Busybox, false, testSettings());
    lab::addServiceEntry(withEntry);
    setUpLab(world, lab::share(withEntry), false);
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(pingPong(fd));
    // REGISTRY_ONLY changes only the catch-all chain; this flow is on the ServiceEntry's.
    auto blocked = lab::sidecar(Busybox, true, testSettings());
    lab::addServiceEntry(blocked);
    blocked.version = 2;
    world.engine->updateSnapshot(Busybox, lab::share(blocked));
    world.engine->flush();
    // Past the drain duration it still works.
    QTest::qWait(600);
    QVERIFY(pingPong(fd));
    QCOMPARE(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(0));
    ::close(fd);
}

void tst_Relay::halfCloseClientFirst()
{
    World world;
    EchoUpstream echo;
    world.map->setEndpoint(MemorystoreNet, echo.port());
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(sendAll(fd, "request"));
    ::shutdown(fd, SHUT_WR);
    // The upstream saw our FIN, echoed everything, then sent its own FIN.
    QTRY_COMPARE_WITH_TIMEOUT(echo.eofs(), std::size_t(1), 3000);
    QCOMPARE(readAtLeast(fd, 100), std::string("request"));
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.engine->connectionCountForTest(), std::size_t(0), 3000);
    QCOMPARE(echo.resets(), std::size_t(0));
}

void tst_Relay::halfCloseUpstreamFirst()
{
    World world;
    // A hand-driven upstream.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    ::listen(listener, 4);
    socklen_t length = sizeof addr;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &length);
    world.map->setEndpoint(MemorystoreNet, ntohs(addr.sin_port));
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    const int client = world.open(MemorystoreRedis);
    const int server = ::accept(listener, nullptr, nullptr);
    QVERIFY(server >= 0);
    QVERIFY(sendAll(server, "banner"));
    ::shutdown(server, SHUT_WR);
    QCOMPARE(readAtLeast(client, 100), std::string("banner")); // then EOF
    // The other direction still flows.
    QVERIFY(sendAll(client, "still here"));
    QCOMPARE(readAtLeast(server, 10), std::string("still here"));
    ::shutdown(client, SHUT_WR);
    QCOMPARE(readAtLeast(server, 1), std::string()); // EOF
    QTRY_COMPARE_WITH_TIMEOUT(world.engine->connectionCountForTest(), std::size_t(0), 3000);
    ::close(client);
    ::close(server);
    ::close(listener);
}

void tst_Relay::resetPassedOn_data()
{
    QTest::addColumn<bool>("clientResets");
    QTest::addRow("client-reset-reaches-upstream") << true;
    QTest::addRow("upstream-reset-reaches-client") << false;
}

void tst_Relay::resetPassedOn()
{
    QFETCH(bool, clientResets);
    World world;
    EchoUpstream echo;
    world.map->setEndpoint(MemorystoreNet, echo.port());
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(sendAll(fd, "x"));
    QCOMPARE(readAtLeast(fd, 1), std::string("x"));
    if (clientResets) {
        resetClose(fd);
        QTRY_COMPARE_WITH_TIMEOUT(echo.resets(), std::size_t(1), 3000);
        QCOMPARE(echo.eofs(), std::size_t(0));
    } else {
        echo.resetAll();
        QCOMPARE(recvError(fd), ECONNRESET);
        ::close(fd);
    }
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1),
                              3000);
}

void tst_Relay::slowReaderKeepsMemoryBounded()
{
    constexpr std::size_t Chunk = 16 * 1024;
    World world(Chunk);
    EchoUpstream echo;
    echo.setReading(false);
    world.map->setEndpoint(MemorystoreNet, echo.port());
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    const int fd = world.open(MemorystoreRedis);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::string block(64 * 1024, '\0');
    for (std::size_t i = 0; i < block.size(); ++i) {
        block[i] = static_cast<char>(i % 251);
    }
    // Push until nothing moves for a while: every buffer on the path is full.
    std::size_t sent = 0;
    std::size_t maxBuffered = 0;
    int stalls = 0;
    while (stalls < 3 && sent < 256u * 1024 * 1024) {
        const std::size_t offset = sent % block.size(); // keep the stream one repeating pattern
        const auto n = ::send(fd, block.data() + offset, block.size() - offset, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            stalls = 0;
            continue;
        }
        pollfd pfd{fd, POLLOUT, 0};
        if (::poll(&pfd, 1, 200) == 0) {
            ++stalls;
        }
        maxBuffered = std::max(maxBuffered, world.engine->bufferedBytesForTest());
    }
    QVERIFY2(sent < 256u * 1024 * 1024, "the relay never pushed back");
    QVERIFY2(maxBuffered <= 2 * Chunk, qPrintable(QString::number(maxBuffered)));
    QVERIFY(maxBuffered > 0); // the relay did hold the part the upstream refused

    // The reader wakes up: every byte arrives, in order, and the buffers are freed.
    echo.setReading(true);
    std::string echoed;
    std::size_t total = 0;
    bool inOrder = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (total < sent && std::chrono::steady_clock::now() < deadline) {
        pollfd pfd{fd, POLLIN, 0};
        ::poll(&pfd, 1, 1000);
        char buffer[65536];
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        for (ssize_t i = 0; i < n; ++i) {
            inOrder = inOrder &&
                      buffer[i] == static_cast<char>((total + std::size_t(i)) % block.size() % 251);
        }
        total += n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    QCOMPARE(total, sent);
    QVERIFY(inOrder);
    QCOMPARE(world.engine->bufferedBytesForTest(), std::size_t(0));
    ::close(fd);
}

void tst_Relay::upstreamRefusedIsUF()
{
    World world;
    world.map->addHost(lab::MemorystoreIp); // the host exists, nothing listens on 6379
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(closedByPeer(fd));
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1),
                              3000);
    const auto closed = world.observer->of(ConnectionEvent::Kind::Closed).front();
    QVERIFY(relay::hasFlag(closed.flags, relay::ResponseFlag::UpstreamConnectionFailure));
    QCOMPARE(closed.decision.upstreamKind, std::string("refused"));
    QCOMPARE(closed.detail, std::string("upstream connection refused")); // at once, no timeout
    QCOMPARE(
        world.engine->stats(Busybox).value("cluster.PassthroughCluster.upstream_cx_connect_fail"),
        1u);
}

void tst_Relay::realConnectRefusedIsUF_data()
{
    QTest::addColumn<bool>("viaTunnel");
    QTest::addRow("captured-connection") << false;
    QTest::addRow("tunnel-connection-with-early-data") << true;
}

void tst_Relay::realConnectRefusedIsUF()
{
    // The address map names a loopback port where nothing listens (a server that died): the
    // kernel refuses the relay's connect, and the client sees the sidecar close, flag UF.
    QFETCH(bool, viaTunnel);
    World world;
    world.map->setEndpoint(MemorystoreNet, meshcraft::tests::freeLoopbackPort());
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    int fd = -1;
    if (viaTunnel) {
        const auto port = world.engine->openTunnel(Busybox, MemorystoreRedis);
        QVERIFY(port);
        fd = meshcraft::tests::connectLoopback(*port);
    } else {
        fd = world.open(MemorystoreRedis);
    }
    QVERIFY(sendAll(fd, "PING\r\n"));
    QVERIFY(closedByPeer(fd));
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1),
                              3000);
    const auto closed = world.observer->of(ConnectionEvent::Kind::Closed).front();
    QCOMPARE(flagsOf(closed), QString("UF,URX"));
    QCOMPARE(world.observer->count(ConnectionEvent::Kind::UpstreamConnected), std::size_t(0));
    QCOMPARE(
        world.engine->stats(Busybox).value("cluster.PassthroughCluster.upstream_cx_connect_fail"),
        1u);
}

void tst_Relay::connectTimeoutIsUF()
{
    World world;
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    const xds::SocketAddress nowhere{*xds::parseIpv4("10.99.0.1"), 6379};
    const auto start = std::chrono::steady_clock::now();
    const int fd = world.open(nowhere);
    QVERIFY(fd >= 0); // "Connected to 10.99.0.1": the handshake is with the sidecar
    QVERIFY(closedByPeer(fd, 5000));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    QVERIFY(elapsed >= std::chrono::milliseconds(290)); // connectTimeout is 300 ms here
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1),
                              3000);
    const auto closed = world.observer->of(ConnectionEvent::Kind::Closed).front();
    QCOMPARE(flagsOf(closed), QString("UF,URX"));
    QCOMPARE(closed.detail, std::string("upstream connect timeout"));
    const auto stats = world.engine->stats(Busybox);
    QCOMPARE(stats.value("cluster.PassthroughCluster.upstream_cx_connect_timeout"), 1u);
    QCOMPARE(stats.value("cluster.PassthroughCluster.upstream_cx_active"), 0u);
}

void tst_Relay::gatewayPortWithoutListenerIsUF()
{
    // Step 9 with a mesh route: the gateway has no chain on 6379, so no listener: refused.
    World world;
    auto busybox = lab::sidecar(Busybox, false, testSettings());
    lab::addServiceEntry(busybox);
    lab::addGatewaySubsetCluster(busybox);
    lab::routeViaGateway(busybox);
    setUpLab(world, lab::share(busybox), false);
    QVERIFY(world.engine->proxyPorts(Gateway)->gateway.empty());
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(closedByPeer(fd));
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1),
                              3000);
    const auto closed = world.observer->of(ConnectionEvent::Kind::Closed).front();
    QVERIFY(relay::hasFlag(closed.flags, relay::ResponseFlag::UpstreamConnectionFailure));
    // The route appears: the gateway opens its 6379 listener and the path works.
    world.engine->updateSnapshot(Gateway, lab::share(lab::gateway(true, testSettings())));
    world.engine->flush();
    QCOMPARE(world.engine->proxyPorts(Gateway)->gateway.size(), std::size_t(1));
    const int again = world.open(MemorystoreRedis);
    QVERIFY(pingPong(again));
    ::close(again);
}

void tst_Relay::noFilterChainIsNR()
{
    World world;
    EchoUpstream echo;
    world.map->setEndpoint(MemorystoreNet, echo.port());
    auto s = lab::sidecar(Busybox, false, testSettings());
    xds::Listener wildcard = lab::tcpListener({0, 6379}, "PassthroughCluster", {});
    wildcard.filterChains.front().match.prefixRanges = {*xds::CidrRange::parse("10.0.0.0/8")};
    s.listeners.push_back(wildcard);
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(s)));
    const int inside = world.open(MemorystoreRedis);
    QVERIFY(sendAll(inside, "ok"));
    QCOMPARE(readAtLeast(inside, 2), std::string("ok"));
    const int outside = world.open({*xds::parseIpv4("192.168.1.1"), 6379});
    QVERIFY(closedByPeer(outside));
    ::close(inside);
    ::close(outside);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(2),
                              3000);
    int nr = 0;
    for (const auto &e : world.observer->of(ConnectionEvent::Kind::Closed)) {
        nr += flagsOf(e) == "NR" && e.decision.listener == "0.0.0.0_6379" ? 1 : 0;
    }
    QCOMPARE(nr, 1);
    QCOMPARE(world.engine->stats(Busybox).value("listener.0.0.0.0_6379.no_filter_chain_match"), 1u);
}

void tst_Relay::unresolvedDnsClusterIsUH()
{
    World world;
    auto s = lab::sidecar(Busybox, false, testSettings());
    s.listeners.push_back(lab::tcpListener(MemorystoreRedis, "outbound|6379||redis.domain", {}));
    xds::Cluster dns;
    dns.name = "outbound|6379||redis.domain";
    dns.type = xds::DiscoveryType::StrictDns;
    dns.endpoints = {{{0, 6379}, "redis.domain"}};
    s.clusters.push_back(dns);
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(s)));
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(closedByPeer(fd));
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1),
                              3000);
    const auto closed = world.observer->of(ConnectionEvent::Kind::Closed).front();
    QCOMPARE(flagsOf(closed), QString("UH"));
    QCOMPARE(closed.decision.endpointHostname, std::string("redis.domain"));
}

void tst_Relay::idleTimeoutCloses()
{
    World world;
    EchoUpstream echo;
    world.map->setEndpoint(MemorystoreNet, echo.port());
    auto settings = testSettings();
    settings.idleTimeout = std::chrono::milliseconds(200);
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, settings))));
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(sendAll(fd, "x"));
    QCOMPARE(readAtLeast(fd, 1), std::string("x"));
    QVERIFY(closedByPeer(fd, 3000));
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1),
                              3000);
    QCOMPARE(world.observer->of(ConnectionEvent::Kind::Closed).front().detail,
             std::string("idle timeout"));
}

void tst_Relay::badProxyHeaderClosedAndCounted_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("halfClose");
    QTest::addRow("missing-header") << QByteArray("PING\r\n") << false;
    QTest::addRow("wrong-version")
        << QByteArray("\r\n\r\n\0\r\nQUIT\n\x11\x11\x00\x0c", 16) + QByteArray(12, 'a') << false;
    QTest::addRow("ipv6-family") << QByteArray("\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24", 16) +
                                        QByteArray(36, 'a')
                                 << false;
    QTest::addRow("truncated-then-closed") << QByteArray("\r\n\r\n\0\r\nQU", 10) << true;
}

void tst_Relay::badProxyHeaderClosedAndCounted()
{
    QFETCH(QByteArray, data);
    QFETCH(bool, halfClose);
    World world;
    const auto ports =
        world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                               lab::share(lab::sidecar(Busybox, false, testSettings())));
    QVERIFY(ports);
    const int fd = meshcraft::tests::connectLoopback(ports->outbound);
    QVERIFY(sendAll(fd, data.toStdString()));
    if (halfClose) {
        ::shutdown(fd, SHUT_WR);
    }
    QVERIFY(closedByPeer(fd));
    ::close(fd);
    QTRY_COMPARE_WITH_TIMEOUT(world.engine->stats(Busybox).downstreamCxProxyProtoError, 1u, 3000);
    QCOMPARE(world.engine->connectionCountForTest(), std::size_t(0));
}

void tst_Relay::tunnelAddsNoHop()
{
    World world;
    setUpLab(world, lab::share(lab::sidecar(Busybox, false, testSettings())), false);
    const auto port = world.engine->openTunnel(Busybox, MemorystoreRedis);
    QVERIFY(port);
    const int fd = meshcraft::tests::connectLoopback(*port);
    QVERIFY(pingPong(fd));
    // One connection in the relay: the accepted socket is the sidecar's downstream itself.
    QCOMPARE(world.engine->connectionCountForTest(), std::size_t(1));
    QTRY_COMPARE_WITH_TIMEOUT(world.observer->count(ConnectionEvent::Kind::UpstreamConnected),
                              std::size_t(1), 3000);
    const auto opened = world.observer->of(ConnectionEvent::Kind::Opened);
    QCOMPARE(opened.size(), std::size_t(1));
    QCOMPARE(opened.front().proxyId, std::string(Busybox));
    QCOMPARE(opened.front().parentId, 0u);
    QCOMPARE(opened.front().downstream.ip, lab::BusyboxIp);
    QCOMPARE(opened.front().originalDestination, MemorystoreRedis);
    const auto decision = world.observer->of(ConnectionEvent::Kind::Decision).front().decision;
    QCOMPARE(decision.cluster, std::string("PassthroughCluster"));
    QCOMPARE(decision.upstreamKind, std::string("endpoint")); // straight to redis-server
    ::close(fd);
    world.engine->closeTunnel(*port);
    QCOMPARE(meshcraft::tests::connectLoopback(*port), -1);
}

void tst_Relay::tunnelRefusesNonLoopback()
{
    World world;
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    const auto port = world.engine->openTunnel(Busybox, MemorystoreRedis, "0.0.0.0");
    QVERIFY(!port);
    QCOMPARE(port.error().code, std::string("relay.tunnel-not-loopback"));
}

void tst_Relay::twoThousandConcurrent()
{
    World world;
    EchoUpstream echo;
    world.map->setEndpoint(MemorystoreNet, echo.port());
    QVERIFY(world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                   lab::share(lab::sidecar(Busybox, false, testSettings()))));
    constexpr int Count = 2000;
    std::vector<int> fds;
    for (int i = 0; i < Count; ++i) {
        const int fd = world.open(MemorystoreRedis);
        QVERIFY(fd >= 0);
        fds.push_back(fd);
    }
    for (int fd : fds) {
        QVERIFY(sendAll(fd, "ping"));
    }
    for (int fd : fds) {
        QCOMPARE(readAtLeast(fd, 4), std::string("ping"));
    }
    QCOMPARE(world.engine->connectionCountForTest(), std::size_t(Count));
    QCOMPARE(world.engine->stats(Busybox).value("listener.virtualOutbound.downstream_cx_active"),
             std::uint64_t(Count));
    for (int fd : fds) {
        ::close(fd);
    }
    QTRY_COMPARE_WITH_TIMEOUT(world.engine->connectionCountForTest(), std::size_t(0), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(echo.open(), std::size_t(0), 10000);
}

void tst_Relay::twentyThousandWithoutFdLeak()
{
    auto world = std::make_unique<World>();
    EchoUpstream echo;
    world->map->setEndpoint(MemorystoreNet, echo.port());
    QVERIFY(world->engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                                    lab::share(lab::sidecar(Busybox, false, testSettings()))));
    world->engine->removeObserver(world->observer.get()); // 20,000 traces are not the point
    const int before = openFdCount();
    constexpr int Total = 20000;
    constexpr int Batch = 200;
    for (int done = 0; done < Total; done += Batch) {
        std::vector<int> fds;
        for (int i = 0; i < Batch; ++i) {
            fds.push_back(world->open(MemorystoreRedis));
            QVERIFY(fds.back() >= 0);
        }
        for (int fd : fds) {
            QVERIFY(sendAll(fd, "."));
        }
        for (int fd : fds) {
            QCOMPARE(readAtLeast(fd, 1), std::string("."));
            ::close(fd);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(world->engine->connectionCountForTest(), std::size_t(0), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(echo.open(), std::size_t(0), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(openFdCount(), before, 5000);
    QCOMPARE(world->engine->stats(Busybox).value("listener.virtualOutbound.downstream_cx_total"),
             std::uint64_t(Total));
}

void tst_Relay::swapUnderLoad()
{
    World world;
    auto allow = lab::sidecar(Busybox, false, testSettings());
    lab::addServiceEntry(allow);
    setUpLab(world, lab::share(allow), false);
    constexpr int Clients = 8;
    constexpr int Rounds = 300;
    std::atomic<int> failures{0};
    std::atomic<int> finished{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < Clients; ++i) {
        const int fd = world.open(MemorystoreRedis);
        QVERIFY(fd >= 0);
        clients.emplace_back([fd, &failures, &finished] {
            for (int r = 0; r < Rounds; ++r) {
                if (!pingPong(fd)) {
                    ++failures;
                    break;
                }
            }
            ::close(fd);
            ++finished;
        });
    }
    // Pushes keep coming while the flows run: each one changes something else.
    std::uint64_t version = 1;
    while (finished.load() < Clients) {
        auto next = lab::sidecar(Busybox, version % 2 == 0, testSettings());
        lab::addServiceEntry(next);
        next.listeners.push_back(lab::tcpListener(
            {*xds::parseIpv4("10.59.118.60"), static_cast<std::uint16_t>(version % 1000 + 1)},
            "PassthroughCluster", {}));
        next.version = ++version;
        world.engine->updateSnapshot(Busybox, lab::share(next));
        world.engine->flush();
    }
    for (auto &t : clients) {
        t.join();
    }
    QCOMPARE(failures.load(), 0);
    QVERIFY(version > 2);
    // The last push is what a new connection sees: REGISTRY_ONLY blocks an unlisted port.
    auto last = lab::sidecar(Busybox, true, testSettings());
    lab::addServiceEntry(last);
    last.version = ++version;
    world.engine->updateSnapshot(Busybox, lab::share(last));
    const int blocked = world.open({lab::MemorystoreIp, 6380});
    QVERIFY(closedByPeer(blocked));
    ::close(blocked);
    QCOMPARE(world.engine->stats(Busybox).snapshotVersion, version);
}

void tst_Relay::pushSeenByNextConnection()
{
    // Each push is followed at once by a new connection, which must be decided by it, even
    // when the relay is still busy accepting the previous one.
    World world;
    setUpLab(world, lab::share(lab::sidecar(Busybox, false, testSettings())), false);
    world.engine->removeObserver(world.observer.get());
    for (int round = 0; round < 100; ++round) {
        const bool block = round % 2 == 0;
        auto next = lab::sidecar(Busybox, block, testSettings());
        next.version = std::uint64_t(round) + 2;
        world.engine->updateSnapshot(Busybox, lab::share(next));
        const int fd = world.open(MemorystoreRedis);
        if (block) {
            QVERIFY2(closedByPeer(fd), qPrintable(QString("round %1").arg(round)));
        } else {
            QVERIFY2(pingPong(fd), qPrintable(QString("round %1").arg(round)));
        }
        ::close(fd);
    }
}

void tst_Relay::stopClosesEverything()
{
    World world;
    EchoUpstream echo;
    world.map->setEndpoint(MemorystoreNet, echo.port());
    const auto ports =
        world.engine->addProxy({Busybox, relay::ProxyKind::Sidecar, lab::BusyboxIp},
                               lab::share(lab::sidecar(Busybox, false, testSettings())));
    QVERIFY(ports);
    const int fd = world.open(MemorystoreRedis);
    QVERIFY(sendAll(fd, "x"));
    QCOMPARE(readAtLeast(fd, 1), std::string("x"));
    world.engine->stop();
    QVERIFY(closedByPeer(fd));
    ::close(fd);
    QCOMPARE(world.observer->count(ConnectionEvent::Kind::Closed), std::size_t(1));
    QCOMPARE(meshcraft::tests::connectLoopback(ports->outbound), -1);
    QCOMPARE(world.map->outboundCapture(lab::BusyboxIp), std::uint16_t(0));
    world.engine->stop(); // idempotent
    QVERIFY(!world.engine->proxyPorts(Busybox));
}

QTEST_APPLESS_MAIN(tst_Relay)
#include "tst_relay.moc"
