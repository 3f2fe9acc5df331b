// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/probe_runner.h"
#include "core/probe/redis_client.h"
#include "core/probe/trace_collector.h"
#include "tests/support/probe_lab.h"
#include "tests/support/redis_server.h"

#include <QtTest>
#include <mutex>

using namespace meshcraft::core;
using probe::OutputStream;
using probe::ProbeOutcome;
using probe::ProbeResult;
using probe::Tool;
namespace lab = meshcraft::tests::lab;
using lab::State;

namespace {

const QString Memorystore = "10.59.118.59";
const auto Wait = std::chrono::seconds(10);

/// What a terminal shows: the session's output, as it arrives.
class Terminal
{
public:
    probe::SessionCallbacks callbacks()
    {
        return {[this](const probe::OutputChunk &chunk) {
                    std::lock_guard lock(m_mutex);
                    m_text += chunk.text;
                },
                {}};
    }
    QString text() const
    {
        std::lock_guard lock(m_mutex);
        return QString::fromStdString(m_text);
    }

private:
    mutable std::mutex m_mutex;
    std::string m_text;
};

probe::PodContext busybox()
{
    return {lab::BusyboxIp, [](std::string_view host) { return lab::clusterDns(host); }};
}

probe::PodContext plainPod()
{
    return {lab::PlainPodIp, [](std::string_view host) { return lab::clusterDns(host); }};
}

probe::ProbeOptions fastOptions()
{
    probe::ProbeOptions options;
    options.connectTimeout = std::chrono::milliseconds(1000);
    options.redisTimeout = std::chrono::milliseconds(3000);
    return options;
}

QString text(const ProbeResult &result, OutputStream stream)
{
    return QString::fromStdString(result.text(stream));
}

QStringList hopClusters(const probe::Trace &trace)
{
    QStringList out;
    for (const auto &hop : trace.hops) {
        out << QString::fromStdString(hop.decision.cluster);
    }
    return out;
}

QStringList hopProxies(const probe::Trace &trace)
{
    QStringList out;
    for (const auto &hop : trace.hops) {
        out << QString::fromStdString(hop.proxyId);
    }
    return out;
}

relay::ConnectionEvent makeEvent(relay::ConnectionEvent::Kind kind, std::uint64_t id,
                                 std::uint64_t parent, std::uint64_t trace, std::uint16_t port)
{
    relay::ConnectionEvent e;
    e.kind = kind;
    e.connectionId = id;
    e.parentId = parent;
    e.traceId = trace;
    e.proxyId = parent == 0 ? "busybox.default" : "istio-egressgateway.istio-system";
    e.downstream = {lab::BusyboxIp, port};
    return e;
}

} // namespace

class tst_Probe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void formatReplyTty_data();
    void formatReplyTty();
    void traceCollectorStitchesHops();
    void traceCollectorIsBounded();

    void telnetLabStates_data();
    void telnetLabStates();
    void telnetTypedLinesReachRedis();
    void telnetEscapeExits_data();
    void telnetEscapeExits();
    void telnetRefusedWithoutSidecar();
    void badAddress_data();
    void badAddress();
    void telnetUsage();

    void redisCli_data();
    void redisCli();
    void redisCliBlackholed();
    void redisCliRefused();
    void redisCliInteractiveReconnects();

    void ncVerboseOpen();
    void ncRefused_data();
    void ncRefused();
    void ncBlackholedWaitsForInputToEnd();

    void runnerCancelsOnShutdown();

private:
    std::unique_ptr<meshcraft::tests::RedisServer> m_redis;
    std::unique_ptr<lab::ProbeLab> m_sharedLab;
};

void tst_Probe::initTestCase()
{
    m_redis = std::make_unique<meshcraft::tests::RedisServer>();
    QVERIFY2(m_redis->ok(), m_redis->error().c_str());
}

void tst_Probe::cleanupTestCase()
{
    m_sharedLab.reset();
    m_redis.reset();
}

void tst_Probe::formatReplyTty_data()
{
    using T = probe::RedisReply::Type;
    QTest::addColumn<probe::RedisReply>("reply");
    QTest::addColumn<QString>("expected");
    auto str = [](std::string s) { return probe::RedisReply{T::String, std::move(s), 0, {}}; };
    QTest::addRow("status-pong") << probe::RedisReply{T::Status, "PONG", 0, {}} << "PONG\n";
    QTest::addRow("bulk-quoted") << str("value") << "\"value\"\n";
    QTest::addRow("bulk-escapes") << str("a\"b\\\n\x01") << "\"a\\\"b\\\\\\n\\x01\"\n";
    QTest::addRow("nil") << probe::RedisReply{} << "(nil)\n";
    QTest::addRow("integer") << probe::RedisReply{T::Integer, "", 1, {}} << "(integer) 1\n";
    QTest::addRow("error") << probe::RedisReply{T::Error, "ERR wrong", 0, {}}
                           << "(error) ERR wrong\n";
    QTest::addRow("empty-array") << probe::RedisReply{T::Array, "", 0, {}} << "(empty array)\n";
    QTest::addRow("array") << probe::RedisReply{T::Array, "", 0, {str("a"), str("b")}}
                           << "1) \"a\"\n2) \"b\"\n";
    std::vector<probe::RedisReply> ten(10, str("x"));
    ten[9] = probe::RedisReply{T::Array, "", 0, {str("p"), str("q")}};
    QTest::addRow("array-of-ten-with-nested")
        << probe::RedisReply{T::Array, "", 0, ten}
        << " 1) \"x\"\n 2) \"x\"\n 3) \"x\"\n 4) \"x\"\n 5) \"x\"\n 6) \"x\"\n 7) \"x\"\n"
           " 8) \"x\"\n 9) \"x\"\n10) 1) \"p\"\n    2) \"q\"\n";
}

void tst_Probe::formatReplyTty()
{
    QFETCH(probe::RedisReply, reply);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(probe::formatReplyTty(reply)), expected);
}

void tst_Probe::traceCollectorStitchesHops()
{
    using K = relay::ConnectionEvent::Kind;
    probe::TraceCollector traces;
    const auto mark = traces.mark();
    auto upstream = makeEvent(K::UpstreamConnected, 7, 0, 7, 41000);
    auto decision = makeEvent(K::Decision, 7, 0, 7, 41000);
    decision.decision.cluster =
        "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local";
    decision.decision.upstreamKind = "proxy";
    traces.onConnectionEvents({makeEvent(K::Opened, 7, 0, 7, 41000), decision, upstream});
    const auto id = traces.findFlow({lab::BusyboxIp, 41000}, mark);
    QVERIFY(id.has_value());
    QCOMPARE(*id, std::uint64_t(7));
    QVERIFY(!traces.findFlow({lab::BusyboxIp, 41001}, mark));
    QVERIFY(!traces.findFlow({lab::BusyboxIp, 41000}, traces.mark())); // an older flow
    traces.onConnectionEvents({makeEvent(K::Closed, 7, 0, 7, 41000)});
    // The first hop reached a proxy: the trace waits for that proxy's hop.
    QVERIFY(!traces.trace(7)->complete);
    traces.onConnectionEvents(
        {makeEvent(K::Opened, 9, 7, 7, 50000), makeEvent(K::Closed, 9, 7, 7, 50000)});
    const auto trace = traces.waitForComplete(7, std::chrono::milliseconds(0));
    QVERIFY(trace.complete);
    QCOMPARE(hopProxies(trace),
             (QStringList{"busybox.default", "istio-egressgateway.istio-system"}));
    // A hop's own downstream does not start a flow.
    QVERIFY(!traces.findFlow({lab::BusyboxIp, 50000}, mark));
}

void tst_Probe::traceCollectorIsBounded()
{
    using K = relay::ConnectionEvent::Kind;
    probe::TraceCollector traces(8);
    for (std::uint64_t id = 1; id <= 100; ++id) {
        const auto port = static_cast<std::uint16_t>(40000 + id);
        traces.onConnectionEvents({makeEvent(K::Opened, id, 0, id, port)});
    }
    QCOMPARE(traces.traceCountForTest(), std::size_t(8));
    QVERIFY(!traces.trace(1));
    QVERIFY(!traces.findFlow({lab::BusyboxIp, 40001}, 0));
    QVERIFY(traces.findFlow({lab::BusyboxIp, 40100}, 0));
}

void tst_Probe::telnetLabStates_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("blocked");
    QTest::addColumn<QStringList>("proxies");
    QTest::addColumn<QStringList>("clusters");
    QTest::addColumn<QString>("provenance"); // the first hop's chain provenance
    const QString se = QString::fromStdString(lab::ServiceEntryCluster);
    QTest::addRow("step4-allow-any-passthrough")
        << int(State::AllowAny) << Memorystore << false << QStringList{lab::BusyboxProxy}
        << QStringList{"PassthroughCluster"}
        << "MeshConfig istio-system/istio: mesh outboundTrafficPolicy ALLOW_ANY";
    QTest::addRow("step7-registry-only-blackhole")
        << int(State::RegistryOnly) << Memorystore << true << QStringList{lab::BusyboxProxy}
        << QStringList{"BlackHoleCluster"}
        << "MeshConfig istio-system/istio: mesh outboundTrafficPolicy REGISTRY_ONLY";
    QTest::addRow("step8-service-entry")
        << int(State::ServiceEntry) << Memorystore << false << QStringList{lab::BusyboxProxy}
        << QStringList{se} << "ServiceEntry default/redis-serviceentry (redis-serviceentry.yaml:9)";
    QTest::addRow("step11-via-egress-gateway")
        << int(State::VirtualService) << Memorystore << false
        << QStringList{lab::BusyboxProxy, lab::GatewayProxy}
        << QStringList{QString::fromStdString(lab::GatewaySubsetCluster), se}
        << "VirtualService default/direct-redis-through-egress-gateway (redis-egress.yaml:40): "
           "tcp route gateways: [mesh]";
    QTest::addRow("registry-only-redis-cart-by-name-through-its-inbound-sidecar")
        << int(State::RegistryOnly) << "redis-cart" << false
        << QStringList{lab::BusyboxProxy, lab::RedisCartProxy}
        << QStringList{"outbound|6379||redis-cart.default.svc.cluster.local", "inbound|6379||"}
        << "Service default/redis-cart: Kubernetes Service";
}

void tst_Probe::telnetLabStates()
{
    QFETCH(int, state);
    QFETCH(QString, host);
    QFETCH(bool, blocked);
    QFETCH(QStringList, proxies);
    QFETCH(QStringList, clusters);
    QFETCH(QString, provenance);
    lab::ProbeLab world(m_redis->port(), State(state));
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    Terminal terminal;
    auto session = runner.createSession(Tool::Telnet, {host.toStdString(), "6379"}, busybox(),
                                        terminal.callbacks());
    session->start();
    const QString connected = "Connected to " + host + "\n";
    QTRY_VERIFY_WITH_TIMEOUT(terminal.text().startsWith(connected), 5000);
    if (!blocked) {
        session->sendLine("PING");
        QTRY_COMPARE_WITH_TIMEOUT(terminal.text(), connected + "+PONG\r\n", 5000);
        session->sendEof();
    }
    const auto result = session->waitFinished(Wait);
    QVERIFY(result.has_value());
    if (blocked) {
        QCOMPARE(text(*result, OutputStream::Stdout),
                 connected + "Connection closed by foreign host\r\n");
        QCOMPARE(result->exitStatus, 1);
        QCOMPARE(result->outcome, ProbeOutcome::ClosedByPeer);
    } else {
        QCOMPARE(result->exitStatus, 0);
        QCOMPARE(result->outcome, ProbeOutcome::Connected);
    }
    QCOMPARE(text(*result, OutputStream::Stderr), QString());
    QVERIFY(result->viaSidecar);
    const auto &trace = result->trace;
    QVERIFY2(trace.complete, qPrintable(QString::fromStdString(
                                 trace.hops.empty() ? "no hops" : trace.toLines().front())));
    QCOMPARE(hopProxies(trace), proxies);
    QCOMPARE(hopClusters(trace), clusters);
    const auto &first = trace.hops.front();
    QCOMPARE(first.downstream, result->source);
    QCOMPARE(QString::fromStdString(first.flagsText()), blocked ? QString("UH") : QString("-"));
    QCOMPARE(QString::fromStdString(first.decision.chainProvenance.toString()), provenance);
    if (blocked) {
        QCOMPARE(first.decision.endpoint.port, std::uint16_t(0));
    } else {
        QCOMPARE(trace.hops.back().decision.endpoint.port, std::uint16_t(6379));
        QCOMPARE(first.bytesReceived, std::uint64_t(5)); // "PING\n"
        QCOMPARE(first.bytesSent, std::uint64_t(7));     // "+PONG\r\n"
    }
    if (state == int(State::ServiceEntry)) {
        QCOMPARE(first.decision.listener, std::string("10.59.118.59_6379"));
    }
}

void tst_Probe::telnetTypedLinesReachRedis()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    // Lines typed before the connection is up are kept, as a terminal keeps them.
    const auto result = runner.run(Tool::Telnet, {"10.59.118.59", "6379"}, busybox(),
                                   {"SET probe:telnet hello", "GET probe:telnet", "QUIT"}, false);
    QCOMPARE(result.outcome, ProbeOutcome::ClosedByPeer); // Redis closes after QUIT
    QCOMPARE(QString::fromStdString(result.text()),
             "Connected to 10.59.118.59\n+OK\r\n$5\r\nhello\r\n+OK\r\n"
             "Connection closed by foreign host\r\n");
    QCOMPARE(result.exitStatus, 1);
}

void tst_Probe::telnetEscapeExits_data()
{
    QTest::addColumn<bool>("viaCtrlC");
    QTest::addRow("ctrl-bracket-then-e") << false;
    QTest::addRow("ctrl-c-opens-the-escape-too") << true;
}

void tst_Probe::telnetEscapeExits()
{
    QFETCH(bool, viaCtrlC);
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    Terminal terminal;
    auto session = runner.createSession(Tool::Telnet, {"10.59.118.59", "6379"}, busybox(),
                                        terminal.callbacks());
    session->start();
    QTRY_VERIFY_WITH_TIMEOUT(terminal.text().startsWith("Connected to"), 5000);
    const QString menu = "\r\nConsole escape. Commands are:\r\n\n l\tgo to line mode\r\n"
                         " c\tgo to character mode\r\n z\tsuspend telnet\r\n e\texit telnet\r\n";
    if (viaCtrlC) {
        session->interrupt();
    } else {
        session->sendLine("\x1d");
    }
    QTRY_VERIFY_WITH_TIMEOUT(terminal.text().endsWith(menu), 5000);
    session->sendLine("x"); // not a command: busybox goes on
    QTRY_VERIFY_WITH_TIMEOUT(terminal.text().endsWith("continuing...\r\n"), 5000);
    session->sendLine("PING");
    QTRY_VERIFY_WITH_TIMEOUT(terminal.text().endsWith("+PONG\r\n"), 5000);
    session->sendLine("\x1d");
    session->sendLine("e");
    const auto result = session->waitFinished(Wait);
    QVERIFY(result.has_value());
    QCOMPARE(result->exitStatus, 0);
    QCOMPARE(result->outcome, ProbeOutcome::Connected);
    // The flow ended when telnet closed its socket.
    QVERIFY(result->trace.complete);
    QCOMPARE(hopClusters(result->trace), QStringList{"PassthroughCluster"});
}

void tst_Probe::telnetRefusedWithoutSidecar()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    const auto result = runner.run(Tool::Telnet, {"10.59.118.60", "6379"}, plainPod());
    QCOMPARE(text(result, OutputStream::Stderr),
             QString("telnet: can't connect to remote host (10.59.118.60): Connection refused\n"));
    QCOMPARE(text(result, OutputStream::Stdout), QString());
    QCOMPARE(result.exitStatus, 1);
    QCOMPARE(result.outcome, ProbeOutcome::Refused);
    QVERIFY(!result.viaSidecar);
    QVERIFY(result.trace.hops.empty());

    // Without a sidecar, Memorystore is reached directly: connected, and no proxy on the path.
    const auto direct = runner.run(Tool::Telnet, {"10.59.118.59", "6379"}, plainPod());
    QCOMPARE(text(direct, OutputStream::Stdout), QString("Connected to 10.59.118.59\n"));
    QCOMPARE(direct.exitStatus, 0);
    QVERIFY(direct.trace.hops.empty());
    QVERIFY(direct.trace.complete);
}

void tst_Probe::badAddress_data()
{
    QTest::addColumn<int>("tool");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("stderrText");
    QTest::addRow("telnet") << int(Tool::Telnet) << QStringList{"redis.domain", "6379"}
                            << "telnet: bad address 'redis.domain'\n";
    QTest::addRow("nc") << int(Tool::Nc) << QStringList{"redis.domain", "6379"}
                        << "nc: bad address 'redis.domain'\n";
    QTest::addRow("redis-cli") << int(Tool::RedisCli) << QStringList{"-h", "redis.domain", "ping"}
                               << "Could not connect to Redis at redis.domain:6379: "
                                  "Name does not resolve\n";
}

void tst_Probe::badAddress()
{
    QFETCH(int, tool);
    QFETCH(QStringList, args);
    QFETCH(QString, stderrText);
    lab::ProbeLab world(m_redis->port(), State::ServiceEntry);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    std::vector<std::string> argv;
    for (const auto &a : args) {
        argv.push_back(a.toStdString());
    }
    const auto result = runner.run(Tool(tool), argv, busybox());
    QCOMPARE(text(result, OutputStream::Stderr), stderrText);
    QCOMPARE(text(result, OutputStream::Stdout), QString());
    QCOMPARE(result.exitStatus, 1);
    QCOMPARE(result.outcome, ProbeOutcome::BadAddress);
}

void tst_Probe::telnetUsage()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    const auto result = runner.run(Tool::Telnet, {}, busybox());
    QCOMPARE(result.exitStatus, 1);
    QCOMPARE(result.outcome, ProbeOutcome::Usage);
    QCOMPARE(text(result, OutputStream::Stderr),
             QString("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                     "Usage: telnet [-a] [-l USER] HOST [PORT]\n\nConnect to telnet server\n\n"
                     "\t-a\tAutomatic login with $USER variable\n"
                     "\t-l USER\tAutomatic login as USER\n"));
}

void tst_Probe::redisCli_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<QString>("stdoutText");
    QTest::addColumn<int>("exitStatus");
    QTest::addColumn<int>("outcome");
    QTest::addRow("ping-pong") << QStringList{"PING"} << "PONG\n" << 0 << int(ProbeOutcome::Reply);
    QTest::addRow("get-missing-is-nil") << QStringList{"GET", "probe:missing"} << "(nil)\n"
                                        << 0 << int(ProbeOutcome::Reply);
    QTest::addRow("set-ok") << QStringList{"set", "probe:k", "value"} << "OK\n"
                            << 0 << int(ProbeOutcome::Reply);
    QTest::addRow("get-quoted") << QStringList{"get", "probe:k"} << "\"value\"\n"
                                << 0 << int(ProbeOutcome::Reply);
    QTest::addRow("integer") << QStringList{"EXISTS", "probe:k"} << "(integer) 1\n"
                             << 0 << int(ProbeOutcome::Reply);
    QTest::addRow("unknown-command-is-an-error-reply")
        << QStringList{"NOSUCH"}
        << "(error) ERR unknown command 'NOSUCH', with args beginning with: \n"
        << 1 << int(ProbeOutcome::ErrorReply);
}

void tst_Probe::redisCli()
{
    QFETCH(QStringList, command);
    QFETCH(QString, stdoutText);
    QFETCH(int, exitStatus);
    QFETCH(int, outcome);
    // One lab for all rows: some read what an earlier row wrote.
    if (!m_sharedLab) {
        m_sharedLab = std::make_unique<lab::ProbeLab>(m_redis->port(), State::AllowAny);
    }
    QVERIFY(m_sharedLab->ok);
    probe::ProbeRunner runner(m_sharedLab->map, m_sharedLab->traces, fastOptions());
    std::vector<std::string> args{"-h", "10.59.118.59", "-p", "6379"};
    for (const auto &c : command) {
        args.push_back(c.toStdString());
    }
    const auto result = runner.run(Tool::RedisCli, args, busybox());
    QCOMPARE(text(result, OutputStream::Stdout), stdoutText);
    QCOMPARE(text(result, OutputStream::Stderr), QString());
    QCOMPARE(result.exitStatus, exitStatus);
    QCOMPARE(int(result.outcome), outcome);
    QVERIFY(result.trace.complete);
    QCOMPARE(hopClusters(result.trace), QStringList{"PassthroughCluster"});
}

void tst_Probe::redisCliBlackholed()
{
    lab::ProbeLab world(m_redis->port(), State::RegistryOnly);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    const auto result = runner.run(Tool::RedisCli, {"-h", "10.59.118.59", "PING"}, busybox());
    const QString err = text(result, OutputStream::Stderr);
    QVERIFY2(err == "Error: Server closed the connection\n" ||
                 err == "Error: Connection reset by peer\n",
             qPrintable(err));
    QCOMPARE(text(result, OutputStream::Stdout), QString());
    QCOMPARE(result.exitStatus, 1);
    QVERIFY(result.outcome == ProbeOutcome::ServerClosed ||
            result.outcome == ProbeOutcome::ConnectionReset);
    QVERIFY(result.trace.complete);
    QCOMPARE(QString::fromStdString(result.trace.hops.front().flagsText()), QString("UH"));
}

void tst_Probe::redisCliRefused()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    const auto result = runner.run(Tool::RedisCli, {"-h", "10.59.118.60", "ping"}, plainPod());
    QCOMPARE(text(result, OutputStream::Stderr),
             QString("Could not connect to Redis at 10.59.118.60:6379: Connection refused\n"));
    QCOMPARE(result.exitStatus, 1);
    QCOMPARE(result.outcome, ProbeOutcome::Refused);
}

void tst_Probe::redisCliInteractiveReconnects()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    Terminal terminal;
    auto session = runner.createSession(Tool::RedisCli, {"-h", "10.59.118.59"}, busybox(),
                                        terminal.callbacks());
    session->start();
    QTRY_COMPARE_WITH_TIMEOUT(terminal.text(), QString("10.59.118.59:6379> "), 5000);
    session->sendLine("PING");
    QTRY_COMPARE_WITH_TIMEOUT(terminal.text(),
                              QString("10.59.118.59:6379> PONG\n10.59.118.59:6379> "), 5000);
    // REGISTRY_ONLY lands; the open connection drains (400 ms), and reconnects are blackholed.
    world.setState(State::RegistryOnly, 2);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            session->sendLine("PING");
            return terminal.text().contains("not connected> ");
        }(),
        5000);
    QVERIFY(terminal.text().contains("Error: "));
    session->sendEof();
    const auto result = session->waitFinished(Wait);
    QVERIFY(result.has_value());
    QCOMPARE(result->exitStatus, 0);
}

void tst_Probe::ncVerboseOpen()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    Terminal terminal;
    auto session = runner.createSession(Tool::Nc, {"-v", "10.59.118.59", "6379"}, busybox(),
                                        terminal.callbacks());
    session->start();
    QTRY_COMPARE_WITH_TIMEOUT(terminal.text(), QString("10.59.118.59 (10.59.118.59:6379) open\n"),
                              5000);
    session->sendLine("PING");
    QTRY_VERIFY_WITH_TIMEOUT(terminal.text().endsWith("+PONG\r\n"), 5000);
    session->sendEof(); // nc half-closes; Redis closes; nc exits
    const auto result = session->waitFinished(Wait);
    QVERIFY(result.has_value());
    QCOMPARE(result->exitStatus, 0);
    QCOMPARE(text(*result, OutputStream::Stdout), QString("+PONG\r\n"));
    QVERIFY(result->trace.complete);
    QCOMPARE(hopClusters(result->trace), QStringList{"PassthroughCluster"});

    // Quiet by default; -z connects and leaves.
    const auto quiet = runner.run(Tool::Nc, {"-z", "10.59.118.59", "6379"}, busybox());
    QCOMPARE(QString::fromStdString(quiet.text()), QString());
    QCOMPARE(quiet.exitStatus, 0);
}

void tst_Probe::ncRefused_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("stderrText");
    QTest::addRow("silent") << QStringList{} << "";
    QTest::addRow("silent-at-one-v") << QStringList{"-v"} << "";
    QTest::addRow("reported-at-two-v")
        << QStringList{"-v", "-v"}
        << "nc: 10.59.118.60 (10.59.118.60:6379): Connection refused\nsent 0, rcvd 0\n";
}

void tst_Probe::ncRefused()
{
    QFETCH(QStringList, options);
    QFETCH(QString, stderrText);
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    std::vector<std::string> args;
    for (const auto &o : options) {
        args.push_back(o.toStdString());
    }
    args.insert(args.end(), {"10.59.118.60", "6379"});
    const auto result = runner.run(Tool::Nc, args, plainPod());
    QCOMPARE(text(result, OutputStream::Stderr), stderrText);
    QCOMPARE(result.exitStatus, 1);
    QCOMPARE(result.outcome, ProbeOutcome::Refused);
}

void tst_Probe::ncBlackholedWaitsForInputToEnd()
{
    lab::ProbeLab world(m_redis->port(), State::RegistryOnly);
    QVERIFY(world.ok);
    probe::ProbeRunner runner(world.map, world.traces, fastOptions());
    auto session = runner.createSession(Tool::Nc, {"10.59.118.59", "6379"}, busybox());
    session->start();
    // The sidecar closes at once (UH); busybox >= 1.22 nc exits only once stdin is closed too.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto traces = world.traces->recent(lab::BusyboxProxy, 1);
            return !traces.empty() && traces.back().complete;
        }(),
        5000);
    QVERIFY(!session->isFinished());
    session->sendEof();
    const auto result = session->waitFinished(Wait);
    QVERIFY(result.has_value());
    QCOMPARE(QString::fromStdString(result->text()), QString());
    QCOMPARE(result->exitStatus, 0);
    QCOMPARE(result->outcome, ProbeOutcome::ClosedByPeer);
    QCOMPARE(QString::fromStdString(result->trace.hops.front().flagsText()), QString("UH"));
}

void tst_Probe::runnerCancelsOnShutdown()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    std::shared_ptr<probe::ProbeSession> session;
    Terminal terminal;
    {
        probe::ProbeRunner runner(world.map, world.traces, fastOptions());
        session = runner.createSession(Tool::Telnet, {"10.59.118.59", "6379"}, busybox(),
                                       terminal.callbacks());
        session->start();
        QTRY_VERIFY_WITH_TIMEOUT(terminal.text().startsWith("Connected to"), 5000);
        QCOMPARE(runner.runningCount(), std::size_t(1));
    } // the runner cancels the session and joins its worker
    QVERIFY(session->isFinished());
    QCOMPARE(session->result()->exitStatus, 130);
    QCOMPARE(session->result()->outcome, ProbeOutcome::Interrupted);
}

QTEST_APPLESS_MAIN(tst_Probe)
#include "tst_probe.moc"
