// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/workload/cart_service.h"
#include "tests/support/probe_lab.h"
#include "tests/support/redis_server.h"

#include <QtTest>
#include <mutex>

using namespace meshcraft::core;
using workload::CartService;
using workload::CartStats;
namespace lab = meshcraft::tests::lab;
using lab::State;

namespace {

class RecordingObserver final : public workload::CartServiceObserver
{
public:
    // Interface
    void onCartStats(const CartStats &stats) override
    {
        std::lock_guard lock(m_mutex);
        m_reports.push_back(stats);
    }

    std::vector<CartStats> reports() const
    {
        std::lock_guard lock(m_mutex);
        return m_reports;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<CartStats> m_reports;
};

workload::CartServiceOptions fastOptions()
{
    workload::CartServiceOptions options;
    options.interval = std::chrono::milliseconds(10);
    options.reportInterval = std::chrono::milliseconds(50);
    options.connectTimeout = std::chrono::milliseconds(1000);
    options.commandTimeout = std::chrono::milliseconds(1000);
    options.backoffInitial = std::chrono::milliseconds(10);
    options.backoffMax = std::chrono::milliseconds(50);
    return options;
}

std::unique_ptr<CartService> makeCart(const lab::ProbeLab &world, const std::string &redisAddr)
{
    return std::make_unique<CartService>(
        world.map, lab::CartIp, [](std::string_view host) { return lab::clusterDns(host); },
        redisAddr, fastOptions());
}

/// The cluster the cart's latest flow took at its sidecar, and that hop's flags.
QString lastCluster(const lab::ProbeLab &world)
{
    const auto traces = world.traces->recent(lab::CartProxy, 1);
    if (traces.empty() || traces.back().hops.empty()) {
        return {};
    }
    return QString::fromStdString(traces.back().hops.front().decision.cluster);
}

} // namespace

class tst_Workload : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void redisAddress_data();
    void redisAddress();
    void cartFollowsThePolicy();
    void cartReachesRedisCartInsideTheMesh();
    void retargetingToAnUnresolvableName();
    void reportsAreThrottled();
    void stopJoinsAndCloses();

private:
    std::unique_ptr<meshcraft::tests::RedisServer> m_redis;
};

void tst_Workload::initTestCase()
{
    m_redis = std::make_unique<meshcraft::tests::RedisServer>();
    QVERIFY2(m_redis->ok(), m_redis->error().c_str());
}

void tst_Workload::cleanupTestCase()
{
    m_redis.reset();
}

void tst_Workload::redisAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addRow("service-and-port") << "redis-cart:6379" << true << "redis-cart" << 6379;
    QTest::addRow("instance-ip-and-port") << "10.59.118.59:6379" << true << "10.59.118.59" << 6379;
    QTest::addRow("bare-host-defaults-to-6379") << "10.59.118.59" << true << "10.59.118.59" << 6379;
    QTest::addRow("port-out-of-range") << "redis-cart:70000" << false << "" << 0;
    QTest::addRow("port-not-a-number") << "redis-cart:redis" << false << "" << 0;
    QTest::addRow("empty-host") << ":6379" << false << "" << 0;
}

void tst_Workload::redisAddress()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, host);
    QFETCH(int, port);
    const auto address = workload::RedisAddress::parse(text.toStdString());
    QCOMPARE(address.has_value(), valid);
    if (valid) {
        QCOMPARE(QString::fromStdString(address->host), host);
        QCOMPARE(int(address->port), port);
        QCOMPARE(QString::fromStdString(address->toString()), host + ':' + QString::number(port));
    }
}

void tst_Workload::cartFollowsThePolicy()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    auto cart = makeCart(world, "10.59.118.59:6379"); // step 5's REDIS_ADDR
    auto observer = std::make_shared<RecordingObserver>();
    cart->setObserver(observer);
    cart->start();

    // ALLOW_ANY: through cartservice's sidecar to PassthroughCluster, and it works.
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().successes >= 10, 5000);
    QCOMPARE(cart->stats().failures, std::uint64_t(0));
    QTRY_COMPARE_WITH_TIMEOUT(lastCluster(world), QString("PassthroughCluster"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(
        !observer->reports().empty() && observer->reports().back().successes > 0, 5000);
    QCOMPARE(QString::fromStdString(observer->reports().back().target),
             QString("10.59.118.59:6379"));

    // REGISTRY_ONLY: the open connection drains, then every reconnect is blackholed.
    world.setState(State::RegistryOnly, 2);
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().failures >= 5, 5000);
    const auto blocked = cart->stats();
    QVERIFY2(blocked.lastError == "Server closed the connection" ||
                 blocked.lastError == "Connection reset by peer",
             blocked.lastError.c_str());
    QVERIFY(blocked.connects >= 2); // it reconnected (with backoff) after each failure
    QTRY_COMPARE_WITH_TIMEOUT(lastCluster(world), QString("BlackHoleCluster"), 5000);
    {
        const auto traces = world.traces->recent(lab::CartProxy, 1);
        QCOMPARE(QString::fromStdString(traces.back().hops.front().flagsText()), QString("UH"));
    }

    // The ServiceEntry: new connections go to outbound|6379||redis.domain and succeed again.
    world.setState(State::ServiceEntry, 3);
    const auto before = cart->stats().successes;
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().successes >= before + 10, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(lastCluster(world), QString::fromStdString(lab::ServiceEntryCluster),
                              5000);
    QVERIFY(cart->stats().connected);
    cart->stop();
}

void tst_Workload::cartReachesRedisCartInsideTheMesh()
{
    // Online Boutique's default REDIS_ADDR, under REGISTRY_ONLY: redis-cart is in the registry.
    lab::ProbeLab world(m_redis->port(), State::RegistryOnly);
    QVERIFY(world.ok);
    auto cart = makeCart(world, "redis-cart:6379");
    cart->start();
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().successes >= 5, 5000);
    QCOMPARE(cart->stats().failures, std::uint64_t(0));
    const auto traces = world.traces->recent(lab::CartProxy, 1);
    QCOMPARE(traces.size(), std::size_t(1));
    QStringList clusters;
    for (const auto &hop : traces.back().hops) {
        clusters << QString::fromStdString(hop.proxyId + " " + hop.decision.cluster);
    }
    QCOMPARE(clusters,
             (QStringList{"cartservice.default outbound|6379||redis-cart.default.svc.cluster.local",
                          "redis-cart.default inbound|6379||"}));
}

void tst_Workload::retargetingToAnUnresolvableName()
{
    lab::ProbeLab world(m_redis->port(), State::ServiceEntry);
    QVERIFY(world.ok);
    auto cart = makeCart(world, "redis-cart:6379");
    cart->start();
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().successes >= 3, 5000);
    cart->setTarget("redis.domain:6379"); // no DNS proxy in 1.3 (D8)
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().failures >= 3, 5000);
    QCOMPARE(QString::fromStdString(cart->stats().lastError),
             QString("bad address 'redis.domain'"));
    QCOMPARE(QString::fromStdString(cart->stats().target), QString("redis.domain:6379"));
    QVERIFY(!cart->stats().connected);
    cart->setTarget("10.59.118.59:6379");
    const auto before = cart->stats().successes;
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().successes >= before + 3, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(lastCluster(world), QString::fromStdString(lab::ServiceEntryCluster),
                              5000);
}

void tst_Workload::reportsAreThrottled()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    auto options = fastOptions();
    options.interval = std::chrono::milliseconds(1);
    options.reportInterval = std::chrono::milliseconds(200);
    CartService cart(world.map, lab::CartIp, {}, "10.59.118.59:6379", options);
    auto observer = std::make_shared<RecordingObserver>();
    cart.setObserver(observer);
    const auto started = std::chrono::steady_clock::now();
    cart.start();
    QTRY_VERIFY_WITH_TIMEOUT(cart.stats().successes >= 50, 5000);
    cart.stop();
    const auto elapsed = std::chrono::steady_clock::now() - started;
    // One report at the start, one at the stop, and at most one per 200 ms in between.
    const auto allowed = std::size_t(elapsed / std::chrono::milliseconds(200)) + 3;
    QVERIFY2(observer->reports().size() <= allowed,
             qPrintable(QString("%1 reports").arg(observer->reports().size())));
    QCOMPARE(observer->reports().back(), cart.stats()); // the last report is the final state
}

void tst_Workload::stopJoinsAndCloses()
{
    lab::ProbeLab world(m_redis->port(), State::AllowAny);
    QVERIFY(world.ok);
    auto cart = makeCart(world, "10.59.118.59:6379");
    cart->start();
    QTRY_VERIFY_WITH_TIMEOUT(cart->stats().connected, 5000);
    cart->stop();
    cart->stop(); // idempotent
    QVERIFY(!cart->stats().connected);
    // The relay sees the cart's connection closed.
    QTRY_COMPARE_WITH_TIMEOUT(world.engine->connectionCountForTest(), std::size_t(0), 5000);
}

QTEST_APPLESS_MAIN(tst_Workload)
#include "tst_workload.moc"
