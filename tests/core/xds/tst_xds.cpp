// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/match.h"
#include "tests/support/lab_snapshots.h"

#include <QtTest>

using namespace meshcraft::core::xds;
namespace lab = meshcraft::tests::lab;

class tst_Xds : public QObject
{
    Q_OBJECT

private slots:
    void parseAddresses_data();
    void parseAddresses();
    void matchConnection_data();
    void matchConnection();
    void indexAgreesWithScan();
    void filterChainOrder();
    void weightedClusters();
    void selectEndpoint_data();
    void selectEndpoint();
    void provenanceText();
    void sameBehaviourIgnoresProvenance();
};

void tst_Xds::parseAddresses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("normalised");
    QTest::addRow("ip-port") << "10.59.118.59:6379" << true << "10.59.118.59:6379";
    QTest::addRow("octet-too-big") << "10.59.118.256:6379" << false << "";
    QTest::addRow("port-too-big") << "10.59.118.59:65536" << false << "";
    QTest::addRow("three-octets") << "10.59.118:6379" << false << "";
    QTest::addRow("placeholder") << "REDIS_ENDPOINT:6379" << false << "";
}

void tst_Xds::parseAddresses()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, normalised);
    const auto parsed = SocketAddress::parse(text.toStdString());
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QCOMPARE(QString::fromStdString(parsed->toString()), normalised);
    }
    QVERIFY(CidrRange::parse("10.59.118.59/32").has_value());
    QVERIFY(!CidrRange::parse("10.59.118.59/24").has_value()); // host bits set
    QVERIFY(CidrRange::parse("10.59.118.0/24")->contains(lab::MemorystoreIp));
}

void tst_Xds::matchConnection_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("listener");
    QTest::addColumn<QString>("chain");
    QTest::addColumn<QString>("cluster");
    enum { AllowAny, RegistryOnly, ServiceEntry, ViaGateway };
    const int matched = int(MatchStatus::Matched);
    QTest::addRow("allow-any-passthrough")
        << int(AllowAny) << "10.59.118.59:6379" << matched << "virtualOutbound"
        << "virtualOutbound-catchall-tcp"
        << "PassthroughCluster";
    QTest::addRow("registry-only-blackhole")
        << int(RegistryOnly) << "10.59.118.59:6379" << matched << "virtualOutbound"
        << "virtualOutbound-catchall-tcp"
        << "BlackHoleCluster";
    QTest::addRow("loop-prevention-15001")
        << int(AllowAny) << "10.8.1.12:15001" << matched << "virtualOutbound"
        << "virtualOutbound-blackhole"
        << "BlackHoleCluster";
    QTest::addRow("service-entry-listener")
        << int(ServiceEntry) << "10.59.118.59:6379" << matched << "10.59.118.59_6379"
        << ""
        << "outbound|6379||redis.domain";
    QTest::addRow("service-entry-other-port-falls-to-catch-all")
        << int(ServiceEntry) << "10.59.118.59:6380" << matched << "virtualOutbound"
        << "virtualOutbound-catchall-tcp"
        << "BlackHoleCluster";
    QTest::addRow("virtual-service-to-gateway")
        << int(ViaGateway) << "10.59.118.59:6379" << matched << "10.59.118.59_6379"
        << ""
        << "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local";
}

void tst_Xds::matchConnection()
{
    QFETCH(int, state);
    QFETCH(QString, destination);
    QFETCH(int, status);
    QFETCH(QString, listener);
    QFETCH(QString, chain);
    QFETCH(QString, cluster);
    auto s = lab::sidecar("busybox.default", state != 0);
    if (state >= 2) {
        lab::addServiceEntry(s);
        lab::addGatewaySubsetCluster(s);
    }
    if (state == 3) {
        lab::routeViaGateway(s);
    }
    const auto m = meshcraft::core::xds::matchConnection(
        s, TrafficDirection::Outbound, *SocketAddress::parse(destination.toStdString()));
    QCOMPARE(int(m.status), status);
    QCOMPARE(QString::fromStdString(m.listener->name), listener);
    QCOMPARE(QString::fromStdString(m.chain->name), chain);
    QCOMPARE(QString::fromStdString(m.cluster->name), cluster);
}

void tst_Xds::indexAgreesWithScan()
{
    // Every lab state, plus a wildcard listener and duplicates: the index decides as the scan.
    auto s = lab::sidecar("busybox.default", true);
    lab::addServiceEntry(s);
    lab::addGatewaySubsetCluster(s);
    lab::addRedisCartService(s);
    lab::addInbound(s, lab::BusyboxIp, 8080);
    s.listeners.push_back(lab::tcpListener({0, 6379}, "PassthroughCluster", {}));
    s.listeners.push_back(lab::tcpListener({lab::MemorystoreIp, 6379}, "BlackHoleCluster", {}));
    const SnapshotIndex index(s);
    const std::vector<SocketAddress> destinations = {
        {lab::MemorystoreIp, 6379},      {lab::MemorystoreIp, 6380},
        {lab::RedisCartClusterIp, 6379}, {*parseIpv4("192.168.1.1"), 6379},
        {lab::BusyboxIp, 15001},         {lab::BusyboxIp, 8080}};
    for (const auto &destination : destinations) {
        for (const auto direction : {TrafficDirection::Outbound, TrafficDirection::Inbound}) {
            const auto scan = meshcraft::core::xds::matchConnection(s, direction, destination);
            const auto indexed =
                meshcraft::core::xds::matchConnection(index, direction, destination);
            QVERIFY2(scan.status == indexed.status && scan.listener == indexed.listener &&
                         scan.chain == indexed.chain && scan.cluster == indexed.cluster,
                     destination.toString().c_str());
        }
    }
    QCOMPARE(index.findCluster("BlackHoleCluster"), s.findCluster("BlackHoleCluster"));
    QVERIFY(index.findCluster("nope") == nullptr);
}

void tst_Xds::filterChainOrder()
{
    Listener l;
    l.name = "0.0.0.0_6379";
    l.address = {0, 6379};
    FilterChain wide;
    wide.name = "wide";
    wide.match.prefixRanges = {*CidrRange::parse("10.0.0.0/8")};
    FilterChain narrow;
    narrow.name = "narrow";
    narrow.match.prefixRanges = {*CidrRange::parse("10.59.118.59/32")};
    l.filterChains = {wide, narrow};
    QCOMPARE(matchFilterChain(l, {lab::MemorystoreIp, 6379})->name, std::string("narrow"));
    QCOMPARE(matchFilterChain(l, {lab::BusyboxIp, 6379})->name, std::string("wide"));
    QVERIFY(matchFilterChain(l, {*parseIpv4("192.168.1.1"), 6379}) == nullptr); // NR

    ProxySnapshot s;
    s.listeners = {l};
    const auto m = meshcraft::core::xds::matchConnection(s, TrafficDirection::Outbound,
                                                         {*parseIpv4("192.168.1.1"), 6379});
    QCOMPARE(m.status, MatchStatus::NoFilterChain);
    QCOMPARE(meshcraft::core::xds::matchConnection(s, TrafficDirection::Inbound,
                                                   {lab::MemorystoreIp, 6379})
                 .status,
             MatchStatus::NoListener);
}

void tst_Xds::weightedClusters()
{
    TcpProxy t;
    t.weightedClusters = {{"a", 75}, {"b", 25}};
    int a = 0;
    for (std::uint64_t i = 0; i < 100; ++i) {
        a += selectCluster(t, i) == "a" ? 1 : 0;
    }
    QCOMPARE(a, 75);
}

void tst_Xds::selectEndpoint_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("hostname");
    QTest::addColumn<bool>("resolves");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("address");
    QTest::addRow("original-dst-forwards-as-dialled")
        << int(DiscoveryType::OriginalDst) << "" << false << int(EndpointStatus::Selected)
        << "10.59.118.59:6379";
    QTest::addRow("static-no-endpoints-is-blackhole")
        << int(DiscoveryType::Static) << "" << false << int(EndpointStatus::NoHealthyUpstream)
        << "";
    QTest::addRow("strict-dns-unresolved-redis-domain")
        << int(DiscoveryType::StrictDns) << "redis.domain" << false
        << int(EndpointStatus::Unresolved) << "";
    QTest::addRow("strict-dns-resolved")
        << int(DiscoveryType::StrictDns) << "redis-cart.default.svc.cluster.local" << true
        << int(EndpointStatus::Selected) << "10.11.240.10:6379";
}

void tst_Xds::selectEndpoint()
{
    QFETCH(int, type);
    QFETCH(QString, hostname);
    QFETCH(bool, resolves);
    QFETCH(int, status);
    QFETCH(QString, address);
    Cluster c;
    c.type = static_cast<DiscoveryType>(type);
    if (!hostname.isEmpty()) {
        c.endpoints = {{{0, 6379}, hostname.toStdString()}};
    }
    const Resolver resolver = [resolves](std::string_view) -> std::optional<Ipv4> {
        return resolves ? std::optional<Ipv4>(lab::RedisCartClusterIp) : std::nullopt;
    };
    const auto choice =
        meshcraft::core::xds::selectEndpoint(c, {lab::MemorystoreIp, 6379}, resolver);
    QCOMPARE(int(choice.status), status);
    if (!address.isEmpty()) {
        QCOMPARE(QString::fromStdString(choice.address.toString()), address);
    }
}

void tst_Xds::provenanceText()
{
    QCOMPARE(QString::fromStdString(lab::serviceEntryProvenance().toString()),
             QString("ServiceEntry default/redis-serviceentry (redis-serviceentry.yaml:9)"));
    QCOMPARE(QString::fromStdString(lab::meshPolicy("REGISTRY_ONLY").toString()),
             QString("MeshConfig istio-system/istio: mesh outboundTrafficPolicy REGISTRY_ONLY"));
}

void tst_Xds::sameBehaviourIgnoresProvenance()
{
    const auto allow = lab::sidecar("p", false);
    const auto block = lab::sidecar("p", true);
    auto moved = allow.listeners[0].filterChains[1];
    moved.provenance.line = 99;
    QVERIFY(sameBehaviour(allow.listeners[0].filterChains[1], moved));
    QVERIFY(!sameBehaviour(allow.listeners[0].filterChains[1], block.listeners[0].filterChains[1]));
}

QTEST_APPLESS_MAIN(tst_Xds)
#include "tst_xds.moc"
