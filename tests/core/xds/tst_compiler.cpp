// SPDX-License-Identifier: GPL-3.0-or-later
// The control plane over real store contents: every state of the egress-gateway lab compiled
// the way istiod would, checked through the same matching the relay uses; the gateway's
// omitted listener and Pilot's log lines; provenance; pushes to the sink; the proxy-config dumps.
#include "core/common/text.h"
#include "core/config/helm_release.h"
#include "core/mesh/ip_allocator.h"
#include "core/xds/compiler.h"
#include "core/xds/control_plane.h"
#include "core/xds/match.h"
#include "core/xds/proxy_config_dump.h"
#include "tests/support/mesh_world.h"

#include <QtTest>

using namespace meshcraft::core;
using namespace meshcraft::core::xds;
using meshcraft::tests::world::World;
namespace world = meshcraft::tests::world;

namespace {

const char *const RedisDomainCluster = "outbound|6379||redis.domain";
const char *const GatewaySubsetCluster =
    "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local";

std::chrono::system_clock::time_point fixedTime()
{
    return std::chrono::system_clock::time_point(std::chrono::seconds(1569234662)) +
           std::chrono::microseconds(519343); // 2019-09-23T10:31:02.519343Z
}

/// A clock that moves 1 ms per reading, from a fixed start.
ControlPlaneLog::Clock steppingClock()
{
    auto ticks = std::make_shared<int>(0);
    return [ticks] { return fixedTime() + std::chrono::milliseconds((*ticks)++); };
}

class RecordingSink : public SnapshotSink
{
public:
    void onSnapshots(const SnapshotSet &set) override { sets.push_back(set); }
    std::vector<SnapshotSet> sets;
};

std::string sidecarResource(const std::string &mode, const std::string &selector = "")
{
    std::string text = "apiVersion: networking.istio.io/v1alpha3\nkind: Sidecar\nmetadata:\n"
                       "  name: egress-policy\n  namespace: default\nspec:\n";
    if (!selector.empty()) {
        text += "  workloadSelector:\n    labels:\n      " + selector + "\n";
    }
    text += "  outboundTrafficPolicy:\n    mode: " + mode + "\n";
    return text;
}

std::string serviceEntry(const std::string &resolution, const std::string &addresses,
                         const std::string &endpoints)
{
    std::string text = "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\n"
                       "metadata:\n  name: redis-serviceentry\nspec:\n  hosts:\n"
                       "  - redis.domain\n";
    if (!addresses.empty()) {
        text += "  addresses:\n  - " + addresses + "\n";
    }
    text += "  ports:\n  - number: 6379\n    name: tcp-redis\n    protocol: TCP\n"
            "  location: MESH_EXTERNAL\n  resolution: " +
            resolution + "\n";
    if (!endpoints.empty()) {
        text += "  endpoints:\n  - address: " + endpoints + "\n";
    }
    return text;
}

/// Puts the world in the named lab state.
void setUp(World &w, const QString &scenario)
{
    const bool registryOnly =
        !scenario.startsWith("allow-any") && !scenario.startsWith("sidecar-override-registry-only");
    const bool step11 = scenario.startsWith("step11");
    // D14 adds 6379 to the gateway's Service; without it the subset cluster has no such port.
    w.install(registryOnly ? "REGISTRY_ONLY" : "ALLOW_ANY",
              step11 && scenario != "step11-without-gateway-service-port");
    if (scenario.contains("serviceentry") || scenario.startsWith("step9")) {
        w.apply(world::ServiceEntryNone, "redis-serviceentry.yaml");
    }
    if (scenario.startsWith("step9")) {
        w.apply(world::GatewayAndRule, "redis-egress.yaml");
    }
    if (step11) {
        w.apply(world::Step11, "redis-egress.yaml");
    }
    if (scenario == "step11-resolution-none-gateway-has-no-endpoints") {
        std::string none = world::Step11;
        none.replace(none.find("resolution: STATIC"), 18, "resolution: NONE");
        none.replace(none.find("  endpoints:\n  - address: 10.59.118.59\n"), 39, "");
        w.apply(none, "redis-egress.yaml");
    }
    if (scenario == "sidecar-override-registry-only") {
        w.apply(sidecarResource("REGISTRY_ONLY"), "sidecar.yaml");
    }
    if (scenario == "sidecar-override-allow-any-for-busybox-only") {
        w.apply(sidecarResource("ALLOW_ANY", "run: busybox"), "sidecar.yaml");
    }
    if (scenario == "dns-resolution-unresolvable") {
        w.apply(serviceEntry("DNS", "10.59.118.59", ""), "se.yaml");
    }
    if (scenario == "dns-resolution-in-cluster-name") {
        w.apply(serviceEntry("DNS", "10.59.118.59", "redis-cart.default.svc.cluster.local"),
                "se.yaml");
    }
    if (scenario == "static-cidr-address") {
        w.apply(serviceEntry("STATIC", "10.59.0.0/16", "10.59.118.59"), "se.yaml");
    }
    if (scenario == "registry-only-headless") {
        w.apply(R"(apiVersion: v1
kind: Service
metadata:
  name: redis-headless
spec:
  clusterIP: None
  selector:
    app: redis-cart
  ports:
  - name: tcp-redis
    port: 6379
)",
                "headless.yaml");
    }
    if (scenario == "none-without-addresses") {
        w.apply(serviceEntry("NONE", "", ""), "se.yaml");
    }
}

/// "busybox", "gateway", "redis-cart", "cartservice" -> the proxy id.
std::string proxyIdOf(const World &w, const QString &proxy)
{
    if (proxy == "gateway") {
        return w.topology->egressGateway()->proxyId();
    }
    if (proxy == "busybox") {
        return "busybox.default";
    }
    return w.topology->podsOf("default", proxy.toStdString()).front()->proxyId();
}

/// "10.59.118.59:6379", or "redis-cart:6379" for a Service's ClusterIP.
SocketAddress destinationOf(const World &w, const QString &text)
{
    const auto parts = text.split(':');
    Ipv4 ip = 0;
    if (const auto literal = parseIpv4(parts[0].toStdString())) {
        ip = *literal;
    } else {
        ip = w.topology->service("default", parts[0].toStdString())->clusterIP;
    }
    return {ip, static_cast<std::uint16_t>(parts[1].toUInt())};
}

QString endpointText(const World &w, const EndpointChoice &choice)
{
    if (choice.status != EndpointStatus::Selected) {
        return "UH";
    }
    // Name pod endpoints by their pod, so rows do not depend on allocation order.
    if (const mesh::PodView *pod = w.topology->podByIp(choice.address.ip)) {
        const std::string owner = pod->deployment.empty() ? pod->name : pod->deployment;
        return QString::fromStdString("pod:" + owner + ":" + std::to_string(choice.address.port));
    }
    return QString::fromStdString(choice.address.toString());
}

} // namespace

class tst_Compiler : public QObject
{
    Q_OBJECT

private slots:
    void labStates_data();
    void labStates();
    void provenance_data();
    void provenance();
    void stepElevenChains();
    void gatewayOmitsListenerAndLogs_data();
    void gatewayOmitsListenerAndLogs();
    void pushLog();
    void controlPlanePublishes();
    void rolloutReplacesProxy();
    void meshSettings();
    void inboundSide();
    void weightedDestinations();
    void dumps_data();
    void dumps();
    void goDurations_data();
    void goDurations();
    void helmRenderedGateway();
    void subsetLabelsSelectPods();
    void visibility_data();
    void visibility();
};

void tst_Compiler::labStates_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QString>("listener");
    QTest::addColumn<QString>("cluster");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("endpoint"); ///< what the connection reaches; UH when none

    QTest::addRow("allow-any-passthrough") << "allow-any"
                                           << "busybox"
                                           << "10.59.118.59:6379"
                                           << "virtualOutbound"
                                           << "PassthroughCluster"
                                           << "ORIGINAL_DST"
                                           << "10.59.118.59:6379";
    QTest::addRow("registry-only-blackhole") << "registry-only"
                                             << "busybox"
                                             << "10.59.118.59:6379"
                                             << "virtualOutbound"
                                             << "BlackHoleCluster"
                                             << "STATIC"
                                             << "UH";
    QTest::addRow("registry-only-plus-serviceentry-direct")
        << "registry-only-serviceentry"
        << "busybox"
        << "10.59.118.59:6379"
        << "10.59.118.59_6379" << RedisDomainCluster << "ORIGINAL_DST"
        << "10.59.118.59:6379";
    QTest::addRow("serviceentry-does-not-open-other-ports") << "registry-only-serviceentry"
                                                            << "busybox"
                                                            << "10.59.118.59:6380"
                                                            << "virtualOutbound"
                                                            << "BlackHoleCluster"
                                                            << "STATIC"
                                                            << "UH";
    QTest::addRow("step9-gateway-and-rule-still-direct")
        << "step9"
        << "busybox"
        << "10.59.118.59:6379"
        << "10.59.118.59_6379" << RedisDomainCluster << "ORIGINAL_DST"
        << "10.59.118.59:6379";
    QTest::addRow("step11-sidecar-to-gateway-subset")
        << "step11"
        << "busybox"
        << "10.59.118.59:6379"
        << "10.59.118.59_6379" << GatewaySubsetCluster << "EDS"
        << "pod:istio-egressgateway:6379";
    QTest::addRow("step11-gateway-to-redis-domain") << "step11"
                                                    << "gateway"
                                                    << "10.8.0.2:6379"
                                                    << "0.0.0.0_6379" << RedisDomainCluster << "EDS"
                                                    << "10.59.118.59:6379";
    QTest::addRow("step11-cartservice-also-via-gateway")
        << "step11"
        << "cartservice"
        << "10.59.118.59:6379"
        << "10.59.118.59_6379" << GatewaySubsetCluster << "EDS"
        << "pod:istio-egressgateway:6379";
    QTest::addRow("step11-without-gateway-service-port")
        << "step11-without-gateway-service-port"
        << "busybox"
        << "10.59.118.59:6379"
        << "10.59.118.59_6379" << GatewaySubsetCluster << ""
        << "no-cluster";
    QTest::addRow("step11-resolution-none-gateway-has-no-endpoints")
        << "step11-resolution-none-gateway-has-no-endpoints"
        << "gateway"
        << "10.8.0.2:6379"
        << "0.0.0.0_6379" << RedisDomainCluster << "EDS"
        << "UH";
    QTest::addRow("redis-cart-in-mesh-under-registry-only")
        << "registry-only"
        << "cartservice"
        << "redis-cart:6379"
        << "10.11.240.3_6379"
        << "outbound|6379||redis-cart.default.svc.cluster.local"
        << "EDS"
        << "pod:redis-cart:6379";
    QTest::addRow("sidecar-override-registry-only") << "sidecar-override-registry-only"
                                                    << "busybox"
                                                    << "10.59.118.59:6379"
                                                    << "virtualOutbound"
                                                    << "BlackHoleCluster"
                                                    << "STATIC"
                                                    << "UH";
    QTest::addRow("sidecar-override-allow-any-for-busybox-only")
        << "sidecar-override-allow-any-for-busybox-only"
        << "busybox"
        << "10.59.118.59:6379"
        << "virtualOutbound"
        << "PassthroughCluster"
        << "ORIGINAL_DST"
        << "10.59.118.59:6379";
    QTest::addRow("sidecar-selector-leaves-cartservice-registry-only")
        << "sidecar-override-allow-any-for-busybox-only"
        << "cartservice"
        << "10.59.118.59:6379"
        << "virtualOutbound"
        << "BlackHoleCluster"
        << "STATIC"
        << "UH";
    QTest::addRow("dns-resolution-unresolvable")
        << "dns-resolution-unresolvable"
        << "busybox"
        << "10.59.118.59:6379"
        << "10.59.118.59_6379" << RedisDomainCluster << "STRICT_DNS"
        << "UH";
    QTest::addRow("dns-resolution-in-cluster-name")
        << "dns-resolution-in-cluster-name"
        << "busybox"
        << "10.59.118.59:6379"
        << "10.59.118.59_6379" << RedisDomainCluster << "STRICT_DNS"
        << "10.11.240.3:6379";
    QTest::addRow("static-cidr-address") << "static-cidr-address"
                                         << "busybox"
                                         << "10.59.118.59:6379"
                                         << "0.0.0.0_6379" << RedisDomainCluster << "EDS"
                                         << "10.59.118.59:6379";
    QTest::addRow("cidr-chain-does-not-take-other-ips") << "static-cidr-address"
                                                        << "busybox"
                                                        << "10.60.0.1:6379"
                                                        << "0.0.0.0_6379"
                                                        << ""
                                                        << ""
                                                        << "NR";
    QTest::addRow("headless-service-is-no-catch-all") << "registry-only-headless"
                                                      << "busybox"
                                                      << "10.59.118.59:6379"
                                                      << "virtualOutbound"
                                                      << "BlackHoleCluster"
                                                      << "STATIC"
                                                      << "UH";
    QTest::addRow("none-without-addresses-any-ip-on-port")
        << "none-without-addresses"
        << "busybox"
        << "192.0.2.7:6379"
        << "0.0.0.0_6379" << RedisDomainCluster << "ORIGINAL_DST"
        << "192.0.2.7:6379";
}

void tst_Compiler::labStates()
{
    QFETCH(QString, scenario);
    QFETCH(QString, proxy);
    QFETCH(QString, destination);
    QFETCH(QString, listener);
    QFETCH(QString, cluster);
    QFETCH(QString, type);
    QFETCH(QString, endpoint);

    World w;
    setUp(w, scenario);
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const ProxySnapshot *snapshot = result.find(proxyIdOf(w, proxy));
    QVERIFY(snapshot);
    const SocketAddress target = destinationOf(w, destination);
    const Match match = matchConnection(*snapshot, TrafficDirection::Outbound, target);
    QVERIFY(match.listener);
    QCOMPARE(QString::fromStdString(match.listener->name), listener);
    if (endpoint == "NR") {
        QCOMPARE(match.status, MatchStatus::NoFilterChain);
        return;
    }
    if (endpoint == "no-cluster") {
        QCOMPARE(match.status, MatchStatus::NoCluster);
        QCOMPARE(QString::fromStdString(std::string(selectCluster(match.chain->tcpProxy, 0))),
                 cluster);
        return;
    }
    QCOMPARE(match.status, MatchStatus::Matched);
    QCOMPARE(QString::fromStdString(match.cluster->name), cluster);
    QCOMPARE(QString(discoveryTypeName(match.cluster->type)), type);
    const auto choice = selectEndpoint(*match.cluster, target, {});
    QCOMPARE(endpointText(w, choice), endpoint);
}

void tst_Compiler::provenance_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("listener");
    QTest::addColumn<QString>("expected"); ///< the matched chain's provenance
    QTest::addRow("mesh-configmap-mode-line")
        << "registry-only"
        << "virtualOutbound"
        << "MeshConfig istio-system/istio (istio-configmap.yaml:11): mesh outboundTrafficPolicy "
           "REGISTRY_ONLY";
    QTest::addRow("serviceentry-address-line")
        << "registry-only-serviceentry"
        << "10.59.118.59_6379"
        << "ServiceEntry default/redis-serviceentry (redis-serviceentry.yaml:9): address "
           "10.59.118.59";
    QTest::addRow("sidecar-resource-mode-line")
        << "sidecar-override-registry-only"
        << "virtualOutbound"
        << "Sidecar default/egress-policy (sidecar.yaml:8): Sidecar outboundTrafficPolicy "
           "REGISTRY_ONLY";
    QTest::addRow("virtualservice-mesh-route-line")
        << "step11"
        << "10.59.118.59_6379"
        << "VirtualService default/direct-redis-through-egress-gateway (redis-egress.yaml:55): "
           "tcp route gateways: [mesh]";
}

void tst_Compiler::provenance()
{
    QFETCH(QString, scenario);
    QFETCH(QString, listener);
    QFETCH(QString, expected);
    World w;
    setUp(w, scenario);
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const Match match = matchConnection(*result.find("busybox.default"), TrafficDirection::Outbound,
                                        {*parseIpv4("10.59.118.59"), 6379});
    QCOMPARE(QString::fromStdString(match.listener->name), listener);
    QCOMPARE(QString::fromStdString(match.chain->provenance.toString()), expected);
}

void tst_Compiler::stepElevenChains()
{
    World w;
    setUp(w, "step11");
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const ProxySnapshot &busybox = *result.find("busybox.default");
    const Listener *listener = busybox.findListener("10.59.118.59_6379");
    QVERIFY(listener);
    // The mesh route's chain (the /32), then the default chain to the entry's own cluster.
    QCOMPARE(listener->filterChains.size(), std::size_t(2));
    QCOMPARE(listener->filterChains[0].match.prefixRanges.front().toString(),
             std::string("10.59.118.59/32"));
    QCOMPARE(listener->filterChains[0].tcpProxy.cluster, std::string(GatewaySubsetCluster));
    QCOMPARE(listener->filterChains[1].tcpProxy.cluster, std::string(RedisDomainCluster));

    const Cluster *subset = busybox.findCluster(GatewaySubsetCluster);
    QVERIFY(subset);
    QCOMPARE(subset->destinationRule, std::string("egressgateway-for-redis.default"));
    QCOMPARE(subset->endpoints.size(), std::size_t(1));
    QCOMPARE(subset->endpoints.front().address.ip, w.topology->egressGateway()->ip);

    const ProxySnapshot &gateway = *result.find(w.topology->egressGateway()->proxyId());
    QCOMPARE(gateway.listeners.size(), std::size_t(1));
    const Listener &gw = gateway.listeners.front();
    QCOMPARE(gw.name, std::string("0.0.0.0_6379"));
    QCOMPARE(gw.filterChains.size(), std::size_t(1));
    QCOMPARE(gw.filterChains.front().provenance.name,
             std::string("direct-redis-through-egress-gateway"));
    QCOMPARE(gw.provenance.kind, std::string("Gateway"));
    const Cluster *redis = gateway.findCluster(RedisDomainCluster);
    QCOMPARE(redis->endpoints.front().address.toString(), std::string("10.59.118.59:6379"));
    QVERIFY(!gateway.findCluster("PassthroughCluster")); // gateways have no passthrough
    QVERIFY(gateway.findCluster("BlackHoleCluster"));
    QVERIFY(result.omittedListeners.at(gateway.proxyId).empty());
}

void tst_Compiler::gatewayOmitsListenerAndLogs_data()
{
    QTest::addColumn<int>("dialect");
    QTest::addColumn<QString>("expected");
    QTest::addRow("istio-1.3-wording")
        << int(LogDialect::Istio13)
        << "info\t1 error occurred:\n\t* gateway omitting listener \"0.0.0.0_6379\" due to: must "
           "have more than 0 chains in listener: &v2.Listener{Name:\"0.0.0.0_6379\", ...}\n|"
           "error\tbuildGatewayListeners: Have zero listeners";
    QTest::addRow("current-istiod-wording")
        << int(LogDialect::Current)
        << "warn\tgateway default/istio-egressgateway:6379 listener missed network filter|"
           "warn\tgateway has zero listeners for node router~10.8.0.2~GATEWAY~istio-system.svc."
           "cluster.local";
}

void tst_Compiler::gatewayOmitsListenerAndLogs()
{
    QFETCH(int, dialect);
    QFETCH(QString, expected);
    World w;
    setUp(w, "step9");
    ControlPlaneOptions options;
    options.dialect = static_cast<LogDialect>(dialect);
    options.clock = [] { return fixedTime(); };
    ControlPlane plane(w.store, *w.topology, nullptr, options);

    const auto gateway = plane.snapshot(w.topology->egressGateway()->proxyId());
    QVERIFY(gateway);
    QVERIFY(gateway->listeners.empty());
    // The DestinationRule's subset clusters exist for the gateway Service's ports, unused.
    const auto busybox = plane.snapshot("busybox.default");
    QVERIFY(busybox->findCluster(
        "outbound|80|redis-serviceentry|istio-egressgateway.istio-system.svc.cluster.local"));
    QVERIFY(!busybox->findCluster(
        "outbound|6379|redis-serviceentry|istio-egressgateway.istio-system.svc.cluster.local"));

    QStringList gatewayLines;
    for (const LogLine &line : plane.log().lines()) {
        if (line.scope.empty()) {
            QCOMPARE(line.toString().substr(0, 28), std::string("2019-09-23T10:31:02.519343Z\t"));
            gatewayLines << QString::fromStdString(std::string(logLevelName(line.level)) + '\t' +
                                                   line.message);
        }
    }
    expected.replace("GATEWAY", QString::fromStdString(w.topology->egressGateway()->proxyId()));
    QCOMPARE(gatewayLines.join('|'), expected);
}

void tst_Compiler::pushLog()
{
    World w;
    w.install("REGISTRY_ONLY");
    ControlPlaneOptions options;
    options.clock = steppingClock();
    ControlPlane plane(w.store, *w.topology, nullptr, options);
    plane.log().clear();
    w.apply(world::ServiceEntryNone, "redis-serviceentry.yaml");
    QStringList lines;
    for (const LogLine &line : plane.log().lines()) {
        lines << QString::fromStdString(line.toString());
    }
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0], QString("2019-09-23T10:31:02.524343Z\tinfo\tads\tPush debounce "
                               "stable[2] 1: 100ms since last change, 1ms since last push, "
                               "full=true"));
    QCOMPARE(lines[1], QString("2019-09-23T10:31:02.525343Z\tinfo\tads\tXDS: "
                               "Pushing:2019-09-23T10:31:02Z/2 Services:3 "
                               "ConnectedEndpoints:4"));

    ControlPlaneOptions current;
    current.dialect = LogDialect::Current;
    current.clock = [] { return fixedTime(); };
    ControlPlane istiod(w.store, *w.topology, nullptr, current);
    istiod.log().clear();
    w.store.remove(config::ObjectKey{config::Kind::ServiceEntry, "default", "redis-serviceentry"});
    QCOMPARE(istiod.log().lines().front().message,
             std::string("Push debounce stable[2] 1 for config ServiceEntry/default/"
                         "redis-serviceentry: 100ms since last change, 0s since last push, "
                         "full=true"));
    QCOMPARE(istiod.log().lines().back().message,
             std::string("XDS: Pushing Services:2 ConnectedEndpoints:4 "
                         "Version:2019-09-23T10:31:02Z/2"));
}

void tst_Compiler::controlPlanePublishes()
{
    World w;
    w.install("ALLOW_ANY");
    RecordingSink sink;
    ControlPlane plane(w.store, *w.topology, &sink);
    QCOMPARE(sink.sets.size(), std::size_t(1));
    QCOMPARE(sink.sets.back().snapshots.size(), std::size_t(4)); // 3 sidecars + the gateway
    const auto before = sink.sets.back().find("busybox.default");

    // Step 6 with the right key: the ConfigMap changes, every proxy gets a new snapshot.
    w.apply(world::meshConfigMap("REGISTRY_ONLY"), "istio-configmap.yaml");
    QCOMPARE(sink.sets.size(), std::size_t(2));
    const auto after = sink.sets.back().find("busybox.default");
    QVERIFY(after != before);
    QCOMPARE(after->version, std::uint64_t(2));
    QCOMPARE(sink.sets.back().storeRevision, w.store.revision());
    const Match match =
        matchConnection(*after, TrafficDirection::Outbound, {*parseIpv4("10.59.118.59"), 6379});
    QCOMPARE(match.cluster->name, std::string("BlackHoleCluster"));
    // The old snapshot is untouched: connections holding it see the old config (D3).
    QCOMPARE(
        matchConnection(*before, TrafficDirection::Outbound, {*parseIpv4("10.59.118.59"), 6379})
            .cluster->name,
        std::string("PassthroughCluster"));

    // An unchanged apply writes nothing and pushes nothing.
    w.apply(world::meshConfigMap("REGISTRY_ONLY"), "istio-configmap.yaml");
    QCOMPARE(sink.sets.size(), std::size_t(2));

    RecordingSink late;
    plane.setSink(&late);
    QCOMPARE(late.sets.size(), std::size_t(1));
    QCOMPARE(late.sets.front().version, std::uint64_t(2));
}

void tst_Compiler::rolloutReplacesProxy()
{
    World w;
    w.install("ALLOW_ANY");
    RecordingSink sink;
    ControlPlane plane(w.store, *w.topology, &sink);
    const std::string oldId = proxyIdOf(w, "cartservice");
    const std::size_t pushes = sink.sets.size();
    w.replace(world::cartService("10.59.118.59:6379"), "cartservice.yaml");
    // One push for the whole rollout: the controller's writes settle before the control plane
    // compiles.
    QCOMPARE(sink.sets.size(), pushes + 1);
    const std::string newId = proxyIdOf(w, "cartservice");
    QVERIFY(newId != oldId);
    QVERIFY(!sink.sets.back().find(oldId));
    QVERIFY(sink.sets.back().find(newId));
}

void tst_Compiler::meshSettings()
{
    World w;
    w.install("ALLOW_ANY");
    w.apply(world::meshConfigMap("ALLOW_ANY", "/dev/stdout"), "istio-configmap.yaml");
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const MeshSettings &settings = result.find("busybox.default")->settings;
    QCOMPARE(settings.connectTimeout, std::chrono::milliseconds(10'000));
    QCOMPARE(settings.drainDuration, std::chrono::milliseconds(45'000));
    QVERIFY(settings.accessLog);

    World quiet;
    quiet.install("ALLOW_ANY");
    QVERIFY(!Compiler(quiet.store, *quiet.topology)
                 .compile()
                 .find("busybox.default")
                 ->settings.accessLog);
}

void tst_Compiler::inboundSide()
{
    World w;
    w.install("REGISTRY_ONLY");
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const mesh::PodView *redis = w.topology->podsOf("default", "redis-cart").front();
    const ProxySnapshot &snapshot = *result.find(redis->proxyId());
    const Match match = matchConnection(snapshot, TrafficDirection::Inbound, {redis->ip, 6379});
    QCOMPARE(match.status, MatchStatus::Matched);
    QCOMPARE(match.listener->name, std::string("virtualInbound"));
    QCOMPARE(match.chain->name, std::string("0.0.0.0_6379"));
    QCOMPARE(match.cluster->name, std::string("inbound|6379||"));
    QCOMPARE(match.cluster->endpoints.front().address, (SocketAddress{redis->ip, 6379}));
    // A port no Service declares passes through.
    const Match other = matchConnection(snapshot, TrafficDirection::Inbound, {redis->ip, 7000});
    QCOMPARE(other.cluster->name, std::string("InboundPassthroughClusterIpv4"));
}

void tst_Compiler::weightedDestinations()
{
    World w;
    w.install("REGISTRY_ONLY");
    w.apply(serviceEntry("STATIC", "10.59.118.59", "10.59.118.59"), "se.yaml");
    w.apply(R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: split
spec:
  hosts: [redis.domain]
  tcp:
  - route:
    - destination: {host: redis.domain}
      weight: 80
    - destination: {host: redis-cart}
      weight: 20
)",
            "split.yaml");
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const Listener *listener = result.find("busybox.default")->findListener("10.59.118.59_6379");
    QCOMPARE(listener->filterChains.size(), std::size_t(1));
    const TcpProxy &proxy = listener->filterChains.front().tcpProxy;
    QCOMPARE(proxy.weightedClusters.size(), std::size_t(2));
    QCOMPARE(proxy.weightedClusters[0], (WeightedCluster{RedisDomainCluster, 80}));
    QCOMPARE(proxy.weightedClusters[1],
             (WeightedCluster{"outbound|6379||redis-cart.default.svc.cluster.local", 20}));
}

void tst_Compiler::dumps_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("golden");
    QTest::addRow("busybox-listeners-after-serviceentry") << "registry-only-serviceentry"
                                                          << "busybox"
                                                          << "listeners"
                                                          << "busybox-serviceentry-listeners.txt";
    QTest::addRow("busybox-clusters-after-serviceentry") << "registry-only-serviceentry"
                                                         << "busybox"
                                                         << "clusters"
                                                         << "busybox-serviceentry-clusters.txt";
    QTest::addRow("busybox-routes") << "registry-only-serviceentry"
                                    << "busybox"
                                    << "routes"
                                    << "busybox-routes.txt";
    QTest::addRow("busybox-listeners-allow-any") << "allow-any"
                                                 << "busybox"
                                                 << "listeners"
                                                 << "busybox-allow-any-listeners.txt";
    QTest::addRow("busybox-listeners-step11") << "step11"
                                              << "busybox"
                                              << "listeners"
                                              << "busybox-step11-listeners.txt";
    QTest::addRow("gateway-listeners-step11") << "step11"
                                              << "gateway"
                                              << "listeners"
                                              << "gateway-step11-listeners.txt";
    QTest::addRow("gateway-clusters-step11") << "step11"
                                             << "gateway"
                                             << "clusters"
                                             << "gateway-step11-clusters.txt";
}

void tst_Compiler::dumps()
{
    QFETCH(QString, scenario);
    QFETCH(QString, proxy);
    QFETCH(QString, table);
    QFETCH(QString, golden);
    World w;
    setUp(w, scenario);
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const ProxySnapshot &snapshot = *result.find(proxyIdOf(w, proxy));
    const std::string text = table == "listeners"  ? listenersTable(snapshot)
                             : table == "clusters" ? clustersTable(snapshot)
                                                   : routesTable(snapshot);
    const std::string path = std::string(MESHCRAFT_TEST_DATA_DIR) + "/xds/" + golden.toStdString();
    if (qEnvironmentVariableIsSet("MESHCRAFT_UPDATE_GOLDEN")) {
        QFile out(QString::fromStdString(path));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text.data(), qint64(text.size()));
    }
    const auto expected = common::readFile(path);
    QVERIFY2(expected, path.c_str());
    QCOMPARE(text, *expected);
}

void tst_Compiler::goDurations_data()
{
    QTest::addColumn<qint64>("nanoseconds");
    QTest::addColumn<QString>("text");
    QTest::addRow("zero") << qint64(0) << "0s";
    QTest::addRow("debounce") << qint64(100'000'000) << "100ms";
    QTest::addRow("fraction-trimmed") << qint64(100'200'000) << "100.2ms";
    QTest::addRow("micros") << qint64(12'000) << "12µs";
    QTest::addRow("seconds") << qint64(1'500'000'000) << "1.5s";
    QTest::addRow("minutes") << qint64(123'000'000'000) << "2m3s";
    QTest::addRow("hours") << qint64(3'600'000'000'000) << "1h0m0s";
}

void tst_Compiler::goDurations()
{
    QFETCH(qint64, nanoseconds);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(formatGoDuration(std::chrono::nanoseconds(nanoseconds))), text);
}

void tst_Compiler::helmRenderedGateway()
{
    // The gateway as Tiller renders it from the workshop's values, then D14's upgrade that adds
    // port 6379: the topology and the compiler must read the chart's objects as they are.
    const auto &chart = config::HelmChart::istio130();
    QVERIFY2(chart, chart ? "" : chart.error().message.c_str());
    const auto values = [](const char *name) {
        const std::string path = std::string(MESHCRAFT_TEST_DATA_DIR) + "/helm/" + name;
        return config::HelmValuesFile{name, common::readFile(path).value_or("")};
    };
    World w;
    config::HelmRelease release(w.store, *chart);
    config::HelmValuesInput install;
    install.files.push_back(values("istio-srecon-values.yaml"));
    install.set.push_back("global.outboundTrafficPolicy.mode=REGISTRY_ONLY"); // step 6, right key
    QVERIFY(release.install(install).has_value());
    w.apply(world::RedisCart, "redis-cart.yaml");
    w.apply(world::Busybox, "busybox.yaml");

    const mesh::PodView *gateway = w.topology->egressGateway();
    QVERIFY(gateway);
    QVERIFY(gateway->isGateway);
    const mesh::ServiceView *service = w.topology->service("istio-system", "istio-egressgateway");
    QVERIFY(service);
    QVERIFY(service->clusterIP != 0);
    QCOMPARE(w.topology->endpoints(*service, service->ports.front()).size(), std::size_t(1));

    config::HelmUpgradeOptions upgrade;
    upgrade.reuseValues = true;
    upgrade.values.files.push_back(values("egressgateway-redis-values.yaml"));
    QVERIFY(release.upgrade(upgrade).has_value());
    w.apply(world::Step11, "redis-egress.yaml");

    ControlPlane plane(w.store, *w.topology);
    const auto busybox = plane.snapshot("busybox.default");
    QVERIFY(busybox);
    QCOMPARE(
        matchConnection(*busybox, TrafficDirection::Outbound, {*parseIpv4("10.59.118.59"), 6380})
            .cluster->name,
        std::string("BlackHoleCluster"));
    const Match viaGateway =
        matchConnection(*busybox, TrafficDirection::Outbound, {*parseIpv4("10.59.118.59"), 6379});
    QCOMPARE(viaGateway.cluster->name, std::string(GatewaySubsetCluster));
    const auto choice = selectEndpoint(*viaGateway.cluster, {}, {});
    QCOMPARE(choice.status, EndpointStatus::Selected);
    QCOMPARE(choice.address.ip, w.topology->egressGateway()->ip);
    QCOMPARE(choice.address.port, std::uint16_t(6379));
    const auto gatewaySnapshot = plane.snapshot(w.topology->egressGateway()->proxyId());
    QVERIFY(gatewaySnapshot->findListener("0.0.0.0_6379"));
}

void tst_Compiler::subsetLabelsSelectPods()
{
    World w;
    w.install("REGISTRY_ONLY");
    w.apply(R"(apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: redis-cart
spec:
  host: redis-cart
  subsets:
  - name: cart
    labels:
      app: redis-cart
  - name: v2
    labels:
      version: v2
)",
            "redis-cart-dr.yaml");
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const ProxySnapshot &busybox = *result.find("busybox.default");
    const Cluster *cart =
        busybox.findCluster("outbound|6379|cart|redis-cart.default.svc.cluster.local");
    const Cluster *v2 =
        busybox.findCluster("outbound|6379|v2|redis-cart.default.svc.cluster.local");
    QVERIFY(cart && v2);
    QCOMPARE(cart->endpoints.size(), std::size_t(1));
    QCOMPARE(cart->endpoints.front().address.ip,
             w.topology->podsOf("default", "redis-cart").front()->ip);
    QVERIFY(v2->endpoints.empty()); // no pod has version: v2
    QCOMPARE(cart->provenance.toString(),
             std::string("DestinationRule default/redis-cart (redis-cart-dr.yaml:8): subset cart "
                         "of redis-cart.default.svc.cluster.local"));
    // The default cluster of the host names the rule too, as istioctl's column shows.
    QCOMPARE(
        busybox.findCluster("outbound|6379||redis-cart.default.svc.cluster.local")->destinationRule,
        std::string("redis-cart.default"));
}

void tst_Compiler::visibility_data()
{
    QTest::addColumn<QString>("extra");
    QTest::addColumn<bool>("busyboxSees");
    QTest::addRow("exported-everywhere") << "" << true;
    QTest::addRow("export-to-own-namespace-only") << "  exportTo: [\".\"]\n" << true;
    QTest::addRow("export-to-other-namespace") << "  exportTo: [istio-system]\n" << false;
}

void tst_Compiler::visibility()
{
    QFETCH(QString, extra);
    QFETCH(bool, busyboxSees);
    World w;
    w.install("REGISTRY_ONLY");
    w.apply(std::string(world::ServiceEntryNone) + extra.toStdString(), "se.yaml");
    const CompileResult result = Compiler(w.store, *w.topology).compile();
    const Match match = matchConnection(*result.find("busybox.default"), TrafficDirection::Outbound,
                                        {*parseIpv4("10.59.118.59"), 6379});
    QCOMPARE(match.cluster->name == RedisDomainCluster, busyboxSees);

    // A Sidecar's egress hosts narrow what a workload sees, whatever the export.
    w.apply(R"(apiVersion: networking.istio.io/v1alpha3
kind: Sidecar
metadata:
  name: default
  namespace: default
spec:
  egress:
  - hosts:
    - "./*"
    - "istio-system/*"
)",
            "sidecar.yaml");
    const CompileResult narrowed = Compiler(w.store, *w.topology).compile();
    const ProxySnapshot &busybox = *narrowed.find("busybox.default");
    QCOMPARE(busybox.findCluster(RedisDomainCluster) != nullptr, busyboxSees);
    QVERIFY(busybox.findCluster("outbound|6379||redis-cart.default.svc.cluster.local"));
    w.apply(R"(apiVersion: networking.istio.io/v1alpha3
kind: Sidecar
metadata:
  name: default
  namespace: default
spec:
  egress:
  - hosts:
    - "istio-system/*"
)",
            "sidecar.yaml");
    const CompileResult onlyIstio = Compiler(w.store, *w.topology).compile();
    QVERIFY(!onlyIstio.find("busybox.default")->findCluster(RedisDomainCluster));
    QVERIFY(!onlyIstio.find("busybox.default")
                 ->findCluster("outbound|6379||redis-cart.default.svc.cluster.local"));
}

QTEST_APPLESS_MAIN(tst_Compiler)
#include "tst_compiler.moc"
