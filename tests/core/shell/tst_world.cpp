// SPDX-License-Identifier: GPL-3.0-or-later
// The World: the lab's cluster, cloud, control plane and relay wired together, driven as the
// lab would drive it, with real redis-servers and real sockets.
#include "core/cloud/memorystore.h"
#include "core/config/helm_release.h"
#include "core/config/mesh_config.h"
#include "core/config/store.h"
#include "core/mesh/topology.h"
#include "core/probe/probe_runner.h"
#include "core/relay/engine.h"
#include "core/shell/tools/kube_inject.h"
#include "core/shell/world.h"
#include "core/workload/cart_service.h"
#include "core/xds/control_plane.h"
#include "core/xds/snapshot.h"

#include <QFile>
#include <atomic>
#include <thread>
#include <QtTest>

using namespace meshcraft::core;

namespace {

QString readLabFile(const QString &relative)
{
    QFile file(QStringLiteral(LABS_SOURCE_DIR "/egress-gateway/") + relative);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(file.readAll());
}

shell::WorldSpec labSpec()
{
    shell::WorldSpec spec;
    spec.cloud.project = "srecon19-workshop-250603";
    spec.cloud.reservedIpRanges = {{"redis-cart", "10.59.118.56/29"}};
    spec.istio.valuesFiles.push_back(
        {"istio-srecon-values.yaml", readLabFile("world/istio-srecon-values.yaml").toStdString()});
    spec.objects.push_back(
        {"online-boutique.yaml", readLabFile("world/online-boutique.yaml").toStdString(), true});
    spec.injector = &shell::tools::kubeInject;
    spec.clock = [] { return std::chrono::system_clock::time_point(std::chrono::hours(480000)); };
    spec.cartInterval = std::chrono::milliseconds(20);
    return spec;
}

const mesh::PodView *podWithPrefix(shell::World &world, const std::string &prefix)
{
    for (const mesh::PodView &pod : world.topology().pods()) {
        if (pod.name.rfind(prefix, 0) == 0) {
            return &pod;
        }
    }
    return nullptr;
}

// telnet from a pod. Input ends at once (telnet then exits 0 with the connection open), unless
// the test waits for the peer to close it.
probe::ProbeResult telnetFrom(shell::World &world, const std::string &pod, const std::string &ip,
                              bool waitForPeerClose = false)
{
    auto context = world.podContext("default", pod);
    if (!context) {
        return {};
    }
    return world.probes().run(probe::Tool::Telnet, {ip, "6379"}, *context, {}, !waitForPeerClose,
                              std::chrono::seconds(20));
}

// Real bytes through the path: redis-cli's PING gets Redis's PONG.
std::string redisPing(shell::World &world, const std::string &pod, const std::string &ip)
{
    auto context = world.podContext("default", pod);
    if (!context) {
        return {};
    }
    return world.probes()
        .run(probe::Tool::RedisCli, {"-h", ip, "ping"}, *context, {}, true,
             std::chrono::seconds(20))
        .text();
}

void createInstance(shell::World &world)
{
    world.memorystore().enableService("redis.googleapis.com");
    cloud::CreateInstanceRequest request;
    request.name = "redis-cart";
    request.region = "europe-west1";
    request.redisVersion = "redis_4_0";
    const auto created = world.memorystore().createInstance(request);
    QVERIFY2(created, created ? "" : created.error().message.c_str());
    QCOMPARE(QString::fromStdString(created->instance.host), QStringLiteral("10.59.118.59"));
}

void applyBusybox(shell::World &world)
{
    const auto injected =
        shell::tools::kubeInject(readLabFile("files/busybox.yaml").toStdString(), "busybox.yaml",
                                 world.helm().computedValues());
    QVERIFY(injected);
    const auto applied =
        world.store().applyText(*injected, "/dev/fd/63", config::ApplyMode::PerDocument);
    QVERIFY(applied.ok());
}

void setPolicy(shell::World &world, const std::string &mode)
{
    config::HelmUpgradeOptions options;
    options.reuseValues = true;
    options.values.set = {"global.outboundTrafficPolicy.mode=" + mode};
    QVERIFY(world.helm().upgrade(options));
}

} // namespace

class tst_World : public QObject
{
    Q_OBJECT

private slots:
    void startsWithTheWorkshopCluster();
    void labPathsThroughTheRealRelay();
    void cartWorkloadReachesInClusterRedis();
    void stateDumpIsDeterministic();
    void dnsAnswersOtherThreadsWhileTheStoreChanges();
};

void tst_World::startsWithTheWorkshopCluster()
{
    auto world = shell::World::create(labSpec());
    QVERIFY2(world, world ? "" : world.error().message.c_str());
    const mesh::PodView *gateway = podWithPrefix(**world, "istio-egressgateway-");
    QVERIFY(gateway && gateway->isGateway && gateway->ip != 0);
    const mesh::PodView *redisCart = podWithPrefix(**world, "redis-cart-");
    QVERIFY(redisCart && redisCart->hasSidecar);
    const mesh::PodView *cart = podWithPrefix(**world, "cartservice-");
    QVERIFY(cart && cart->hasSidecar);
    // Each proxy is a real relay proxy with loopback listeners.
    const auto ports = (*world)->relay().proxyPorts(redisCart->proxyId());
    QVERIFY(ports && ports->outbound != 0 && ports->inbound != 0);
    QVERIFY((*world)->relay().proxyPorts(gateway->proxyId()).has_value());
    const auto mesh = config::meshConfigFromStore((*world)->store());
    QCOMPARE(mesh.config.outboundTrafficPolicy, config::OutboundTrafficPolicyMode::AllowAny);
}

void tst_World::labPathsThroughTheRealRelay()
{
    auto created = shell::World::create(labSpec());
    QVERIFY(created);
    shell::World &world = **created;
    createInstance(world);
    applyBusybox(world);

    // ALLOW_ANY: passthrough to the real redis-server.
    auto result = telnetFrom(world, "busybox", "10.59.118.59");
    QCOMPARE(result.outcome, probe::ProbeOutcome::Connected);
    QCOMPARE(QString::fromStdString(result.text()), QStringLiteral("Connected to 10.59.118.59\n"));
    QCOMPARE(QString::fromStdString(redisPing(world, "busybox", "10.59.118.59")),
             QStringLiteral("PONG\n"));
    QVERIFY(!result.trace.hops.empty());
    QCOMPARE(QString::fromStdString(result.trace.hops[0].decision.cluster),
             QStringLiteral("PassthroughCluster"));

    // REGISTRY_ONLY: accepted by the sidecar, then closed by BlackHoleCluster.
    setPolicy(world, "REGISTRY_ONLY");
    result = telnetFrom(world, "busybox", "10.59.118.59", true);
    QCOMPARE(result.outcome, probe::ProbeOutcome::ClosedByPeer);
    QCOMPARE(result.exitStatus, 1);
    QCOMPARE(QString::fromStdString(result.trace.hops[0].decision.cluster),
             QStringLiteral("BlackHoleCluster"));
    QCOMPARE(QString::fromStdString(result.trace.hops[0].flagsText()), QStringLiteral("UH"));

    // In-mesh Redis stays reachable through its ClusterIP and inbound sidecar.
    const mesh::ServiceView *redisCart = world.topology().service("default", "redis-cart");
    QVERIFY(redisCart && redisCart->clusterIP != 0);
    result = telnetFrom(world, "busybox", xds::formatIpv4(redisCart->clusterIP));
    QCOMPARE(result.outcome, probe::ProbeOutcome::Connected);
    QCOMPARE(QString::fromStdString(
                 redisPing(world, "busybox", xds::formatIpv4(redisCart->clusterIP))),
             QStringLiteral("PONG\n"));

    // The ServiceEntry opens the way again, through its own listener and cluster.
    const std::string serviceEntry = readLabFile("files/redis-serviceentry.yaml")
                                         .replace("REDIS_ENDPOINT", "10.59.118.59")
                                         .toStdString();
    QVERIFY(world.store()
                .applyText(serviceEntry, "redis-serviceentry.yaml", config::ApplyMode::PerDocument)
                .ok());
    result = telnetFrom(world, "busybox", "10.59.118.59");
    QCOMPARE(result.outcome, probe::ProbeOutcome::Connected);
    QCOMPARE(QString::fromStdString(result.trace.hops[0].decision.cluster),
             QStringLiteral("outbound|6379||redis.domain"));

    // Step 11: through the egress gateway for real (two hops).
    config::HelmUpgradeOptions ports;
    ports.reuseValues = true;
    ports.values.files.push_back(
        {"egressgateway-redis-values.yaml",
         readLabFile("files/egressgateway-redis-values.yaml").toStdString()});
    QVERIFY(world.helm().upgrade(ports));
    QVERIFY(world.store()
                .applyText(readLabFile("files/redis-egress-route.yaml").toStdString(),
                           "redis-egress-route.yaml", config::ApplyMode::PerDocument)
                .ok());
    result = telnetFrom(world, "busybox", "10.59.118.59");
    QCOMPARE(result.outcome, probe::ProbeOutcome::Connected);
    QCOMPARE(QString::fromStdString(redisPing(world, "busybox", "10.59.118.59")),
             QStringLiteral("PONG\n"));
    QCOMPARE(int(result.trace.hops.size()), 2);
    QVERIFY(result.trace.hops[1].proxyId.rfind("istio-egressgateway-", 0) == 0);
    QCOMPARE(QString::fromStdString(result.trace.hops[1].decision.cluster),
             QStringLiteral("outbound|6379||redis.domain"));
}

void tst_World::cartWorkloadReachesInClusterRedis()
{
    auto created = shell::World::create(labSpec());
    QVERIFY(created);
    shell::World &world = **created;
    QTRY_VERIFY_WITH_TIMEOUT(!world.cartStats().empty() &&
                                 world.cartStats().begin()->second.successes > 5,
                             10000);
    // Pointed at Memorystore, then locked down: failures rise.
    createInstance(world);
    setPolicy(world, "REGISTRY_ONLY");
    auto deployment = world.store().get(config::Kind::Deployment, "default", "cartservice");
    QVERIFY(deployment);
    std::string text = config::toYaml(deployment->resource.document);
    const auto at = text.find("redis-cart:6379");
    QVERIFY(at != std::string::npos);
    text.replace(at, std::string("redis-cart:6379").size(), "10.59.118.59:6379");
    QVERIFY(world.store().replaceText(text, "cart.yaml", config::ApplyMode::PerDocument).ok());
    QTRY_VERIFY_WITH_TIMEOUT(!world.cartStats().empty() &&
                                 world.cartStats().begin()->second.target == "10.59.118.59:6379" &&
                                 world.cartStats().begin()->second.failures > 3,
                             10000);
}

void tst_World::stateDumpIsDeterministic()
{
    std::string dumps[2];
    for (std::string &dump : dumps) {
        auto created = shell::World::create(labSpec());
        QVERIFY(created);
        createInstance(**created);
        applyBusybox(**created);
        setPolicy(**created, "REGISTRY_ONLY");
        dump = (*created)->dumpState();
    }
    QCOMPARE(QString::fromStdString(dumps[0]), QString::fromStdString(dumps[1]));
    QVERIFY(dumps[0].find("outboundTrafficPolicy: REGISTRY_ONLY") != std::string::npos);
    QVERIFY(dumps[0].find("10.59.118.59") != std::string::npos);
    QVERIFY(dumps[0].find("busybox.default") != std::string::npos);
}

// The relay, probes and the cart resolve names on their own threads while the session thread
// changes Services; lookups read a published table, so they neither crash nor race.
void tst_World::dnsAnswersOtherThreadsWhileTheStoreChanges()
{
    auto created = shell::World::create(labSpec());
    QVERIFY(created);
    shell::World &world = **created;
    const auto resolve = world.dns().resolver("default");
    std::atomic<bool> stop = false;
    std::atomic<int> answered = 0;
    std::thread reader([&] {
        while (!stop) {
            if (resolve("redis-cart")) {
                ++answered;
            }
            (void)resolve("extra");
        }
    });
    const std::string service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: extra\n"
                                "spec:\n  selector:\n    app: extra\n  ports:\n  - port: 80\n";
    for (int i = 0; i < 50; ++i) {
        QVERIFY(world.store().applyText(service, "extra.yaml", config::ApplyMode::Batch).ok());
        QVERIFY(world.store().removeText(service, "extra.yaml", config::ApplyMode::Batch).ok());
    }
    QVERIFY(world.dns().resolve("extra", "default") == std::nullopt);
    QVERIFY(world.store().applyText(service, "extra.yaml", config::ApplyMode::Batch).ok());
    QVERIFY(world.dns().resolve("extra.default.svc.cluster.local", "istio-system").has_value());
    stop = true;
    reader.join();
    QVERIFY(answered > 0);
}

QTEST_APPLESS_MAIN(tst_World)
#include "tst_world.moc"
