// SPDX-License-Identifier: GPL-3.0-or-later
// The simulated cluster over the store: deterministic pod and ClusterIP addresses written into
// the objects, the deployment controller's pod names and rollouts, sidecars, Services and their
// endpoints, and the cluster DNS.
#include "core/config/node_read.h"
#include "core/mesh/cluster_dns.h"
#include "core/mesh/ip_allocator.h"
#include "core/mesh/topology.h"
#include "tests/support/mesh_world.h"

#include <QRegularExpression>
#include <QtTest>

using namespace meshcraft::core;
using meshcraft::tests::world::World;
namespace world = meshcraft::tests::world;

namespace {

const mesh::PodView *onlyPodOf(const World &w, const char *deployment)
{
    const auto pods = w.topology->podsOf("default", deployment);
    return pods.size() == 1 ? pods.front() : nullptr;
}

QString ipText(mesh::Ipv4 ip)
{
    return QString::fromStdString(mesh::formatIp(ip));
}

} // namespace

class tst_Topology : public QObject
{
    Q_OBJECT

private slots:
    void addresses_data();
    void addresses();
    void addressesWrittenIntoObjects();
    void reapplyKeepsAllocatedFields();
    void allocatorSkipsReservedAndDoesNotReuse();
    void podNames_data();
    void podNames();
    void namesAreDeterministic();
    void replaceRollsPods();
    void scaleAndDelete();
    void sidecars_data();
    void sidecars();
    void serviceEndpoints();
    void namedTargetPort();
    void lookupByIp();
    void dns_data();
    void dns();
};

void tst_Topology::addresses_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("nameSpace");
    QTest::addColumn<QString>("name"); ///< a Deployment's name for its pod
    QTest::addColumn<QString>("ip");
    // install() applies, in order: the gateway Deployment and Service, redis-cart's Deployment
    // and Service, cartservice, busybox. Each gets the next address of its range.
    QTest::addRow("gateway-pod-first") << "pod"
                                       << "istio-system"
                                       << "istio-egressgateway"
                                       << "10.8.0.2";
    QTest::addRow("redis-cart-pod") << "pod"
                                    << "default"
                                    << "redis-cart"
                                    << "10.8.0.3";
    QTest::addRow("cartservice-pod") << "pod"
                                     << "default"
                                     << "cartservice"
                                     << "10.8.0.4";
    QTest::addRow("bare-pod-busybox") << "pod"
                                      << "default"
                                      << "busybox"
                                      << "10.8.0.5";
    QTest::addRow("gateway-clusterip-skips-kubernetes") << "service"
                                                        << "istio-system"
                                                        << "istio-egressgateway"
                                                        << "10.11.240.2";
    QTest::addRow("redis-cart-clusterip") << "service"
                                          << "default"
                                          << "redis-cart"
                                          << "10.11.240.3";
}

void tst_Topology::addresses()
{
    QFETCH(QString, kind);
    QFETCH(QString, nameSpace);
    QFETCH(QString, name);
    QFETCH(QString, ip);
    World w;
    w.install();
    const std::string ns = nameSpace.toStdString();
    const std::string n = name.toStdString();
    if (kind == "service") {
        const mesh::ServiceView *service = w.topology->service(ns, n);
        QVERIFY(service);
        QCOMPARE(ipText(service->clusterIP), ip);
        return;
    }
    const mesh::PodView *pod = w.topology->pod(ns, n);
    if (!pod) {
        const auto owned = w.topology->podsOf(ns, n);
        QCOMPARE(owned.size(), std::size_t(1));
        pod = owned.front();
    }
    QCOMPARE(ipText(pod->ip), ip);
}

void tst_Topology::addressesWrittenIntoObjects()
{
    World w;
    w.install();
    const config::StoredObject *busybox = w.store.get(config::Kind::Pod, "default", "busybox");
    QVERIFY(busybox);
    const config::Node *status = busybox->resource.document.find("status");
    QCOMPARE(config::readString(status, "podIP"), std::string("10.8.0.5"));
    QCOMPARE(config::readString(status, "phase"), std::string("Running"));
    // A server write keeps kubectl's bookkeeping: busybox was applied, so still is.
    QVERIFY(busybox->lastAppliedByApply);

    const config::StoredObject *service =
        w.store.get(config::Kind::Service, "default", "redis-cart");
    QVERIFY(service);
    QCOMPARE(config::readString(service->resource.spec(), "clusterIP"), std::string("10.11.240.3"));
}

void tst_Topology::reapplyKeepsAllocatedFields()
{
    World w;
    w.install();
    // The same files again: the API server keeps status and the allocated ClusterIP, so kubectl
    // computes no change.
    const auto pods = w.apply(world::Busybox, "busybox.yaml");
    QCOMPARE(pods.documents.front().action, config::Action::Unchanged);
    const auto services = w.apply(world::RedisCart, "redis-cart.yaml");
    QCOMPARE(services.documents.at(1).action, config::Action::Unchanged);
    QCOMPARE(ipText(w.topology->service("default", "redis-cart")->clusterIP),
             QString("10.11.240.3"));
    QCOMPARE(ipText(w.topology->pod("default", "busybox")->ip), QString("10.8.0.5"));
}

void tst_Topology::allocatorSkipsReservedAndDoesNotReuse()
{
    auto services = mesh::IpAllocator::serviceRange();
    QCOMPARE(ipText(*services.allocate()), QString("10.11.240.2"));
    for (int i = 3; i <= 9; ++i) {
        services.allocate();
    }
    // .10 is kube-dns.
    QCOMPARE(ipText(*services.allocate()), QString("10.11.240.11"));

    auto pods = mesh::IpAllocator::podRange();
    const auto first = *pods.allocate();
    pods.release(first);
    QVERIFY(*pods.allocate() != first);                     // released, but the cursor moved on
    QVERIFY(!pods.reserve(*mesh::parseIp("10.59.118.59"))); // outside 10.8.0.0/14

    mesh::IpAllocator small(*mesh::parseIp("10.8.0.0"), 24, *mesh::parseIp("10.8.0.253"), true);
    QCOMPARE(ipText(*small.allocate()), QString("10.8.0.253"));
    QCOMPARE(ipText(*small.allocate()), QString("10.8.0.254"));
    QCOMPARE(ipText(*small.allocate()), QString("10.8.0.2")); // wraps, skipping .255/.0/.1
}

void tst_Topology::podNames_data()
{
    QTest::addColumn<QString>("deployment");
    QTest::addRow("redis-cart") << "redis-cart";
    QTest::addRow("cartservice") << "cartservice";
}

void tst_Topology::podNames()
{
    QFETCH(QString, deployment);
    World w;
    w.install();
    const mesh::PodView *pod = onlyPodOf(w, deployment.toUtf8().constData());
    QVERIFY(pod);
    const QRegularExpression shape("^" + deployment +
                                   "-[0-9a-f]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$");
    QVERIFY2(shape.match(QString::fromStdString(pod->name)).hasMatch(), pod->name.c_str());
    QCOMPARE(pod->deployment, deployment.toStdString());
    // The pod-template-hash label is the middle part.
    QCOMPARE(pod->labels.at("pod-template-hash"), pod->name.substr(deployment.size() + 1, 10));
}

void tst_Topology::namesAreDeterministic()
{
    World a;
    a.install();
    World b;
    b.install();
    QCOMPARE(onlyPodOf(a, "cartservice")->name, onlyPodOf(b, "cartservice")->name);
    QCOMPARE(onlyPodOf(a, "redis-cart")->name, onlyPodOf(b, "redis-cart")->name);
    QVERIFY(onlyPodOf(a, "cartservice")->name != onlyPodOf(a, "redis-cart")->name);
}

void tst_Topology::replaceRollsPods()
{
    World w;
    w.install();
    const mesh::PodView before = *onlyPodOf(w, "cartservice");
    QCOMPARE(before.env.front().value, std::string("redis-cart:6379"));

    // Step 5: kubectl replace with REDIS_ADDR pointing at Memorystore.
    const auto result = w.replace(world::cartService("10.59.118.59:6379"), "cartservice.yaml");
    QVERIFY(result.ok());
    const mesh::PodView *after = onlyPodOf(w, "cartservice");
    QVERIFY(after);
    QVERIFY(after->name != before.name);
    QVERIFY(after->ip != before.ip);
    QCOMPARE(after->env.front().value, std::string("10.59.118.59:6379"));
    QVERIFY(!w.store.get(config::Kind::Pod, "default", before.name));
    QVERIFY(after->hasSidecar);
}

void tst_Topology::scaleAndDelete()
{
    World w;
    w.install();
    const std::string first = onlyPodOf(w, "redis-cart")->name;
    std::string scaled = world::RedisCart;
    scaled.replace(scaled.find("spec:\n  selector"), 5, "spec:\n  replicas: 3");
    w.apply(scaled, "redis-cart.yaml");
    const auto pods = w.topology->podsOf("default", "redis-cart");
    QCOMPARE(pods.size(), std::size_t(3));
    // Scaling keeps the template, so the first pod stays.
    QVERIFY(w.topology->pod("default", first));
    const auto service = *w.topology->service("default", "redis-cart");
    QCOMPARE(w.topology->selectedPods(service).size(), std::size_t(3));

    QVERIFY(
        w.store.remove(config::ObjectKey{config::Kind::Deployment, "default", "redis-cart"}).ok());
    QVERIFY(w.topology->podsOf("default", "redis-cart").empty());
}

void tst_Topology::sidecars_data()
{
    QTest::addColumn<QString>("nameSpace");
    QTest::addColumn<QString>("owner");
    QTest::addColumn<bool>("sidecar");
    QTest::addColumn<bool>("gateway");
    QTest::addColumn<QString>("image");
    QTest::addRow("busybox-injected") << "default"
                                      << "busybox" << true << false << "busybox";
    QTest::addRow("redis-cart-injected") << "default"
                                         << "redis-cart" << true << false << "redis:alpine";
    QTest::addRow("egress-gateway-is-a-router")
        << "istio-system"
        << "istio-egressgateway" << false << true << "docker.io/istio/proxyv2:1.3.0";
    QTest::addRow("plain-pod-not-injected") << "default"
                                            << "plain" << false << false << "nginx";
}

void tst_Topology::sidecars()
{
    QFETCH(QString, nameSpace);
    QFETCH(QString, owner);
    QFETCH(bool, sidecar);
    QFETCH(bool, gateway);
    QFETCH(QString, image);
    World w;
    w.install();
    w.apply(R"(apiVersion: v1
kind: Pod
metadata:
  name: plain
spec:
  containers:
  - name: web
    image: nginx
)");
    const std::string ns = nameSpace.toStdString();
    const mesh::PodView *pod = w.topology->pod(ns, owner.toStdString());
    if (!pod) {
        pod = w.topology->podsOf(ns, owner.toStdString()).front();
    }
    QCOMPARE(pod->hasSidecar, sidecar);
    QCOMPARE(pod->isGateway, gateway);
    QCOMPARE(QString::fromStdString(pod->image), image);
    const auto proxies = w.topology->proxies();
    const bool listed = std::find(proxies.begin(), proxies.end(), pod) != proxies.end();
    QCOMPARE(listed, sidecar || gateway);
    if (gateway) {
        QCOMPARE(w.topology->egressGateway(), pod);
    }
}

void tst_Topology::serviceEndpoints()
{
    World w;
    w.install(/*mode*/ "ALLOW_ANY", /*gatewayRedisPort*/ true);
    const mesh::ServiceView *redis = w.topology->service("default", "redis-cart");
    QVERIFY(redis);
    QCOMPARE(redis->fqdn(), std::string("redis-cart.default.svc.cluster.local"));
    const auto endpoints = w.topology->endpoints(*redis, redis->ports.front());
    QCOMPARE(endpoints.size(), std::size_t(1));
    QCOMPARE(endpoints.front().pod, onlyPodOf(w, "redis-cart"));
    QCOMPARE(endpoints.front().port, std::uint16_t(6379));

    const mesh::ServiceView *gateway = w.topology->service("istio-system", "istio-egressgateway");
    QCOMPARE(gateway->ports.size(), std::size_t(4));
    const auto gw = w.topology->endpoints(*gateway, gateway->ports.back());
    QCOMPARE(gw.size(), std::size_t(1));
    QCOMPARE(gw.front().pod, w.topology->egressGateway());
    QCOMPARE(gw.front().port, std::uint16_t(6379));
    // cartservice has no Service: nothing selects it.
    QVERIFY(w.topology->servicesOf(*onlyPodOf(w, "cartservice")).empty());
}

void tst_Topology::namedTargetPort()
{
    World w;
    w.install();
    w.apply(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: named
spec:
  selector:
    matchLabels:
      app: named
  template:
    metadata:
      labels:
        app: named
    spec:
      containers:
      - name: redis
        image: redis:alpine
        ports:
        - containerPort: 6380
          name: redis
---
apiVersion: v1
kind: Service
metadata:
  name: redis-named
spec:
  selector:
    app: named
  ports:
  - name: tcp-redis
    port: 7000
    targetPort: redis
)");
    const mesh::ServiceView *service = w.topology->service("default", "redis-named");
    QVERIFY(service);
    const auto endpoints = w.topology->endpoints(*service, service->ports.front());
    QCOMPARE(endpoints.size(), std::size_t(1));
    QCOMPARE(endpoints.front().port, std::uint16_t(6380));
    QCOMPARE(endpoints.front().pod->deployment, std::string("named"));
}

void tst_Topology::lookupByIp()
{
    World w;
    w.install();
    const auto pod = w.topology->lookup(*mesh::parseIp("10.8.0.5"));
    QCOMPARE(pod.kind, mesh::AddressOwner::Kind::Pod);
    QCOMPARE(pod.pod->name, std::string("busybox"));
    const auto service = w.topology->lookup(*mesh::parseIp("10.11.240.3"));
    QCOMPARE(service.kind, mesh::AddressOwner::Kind::Service);
    QCOMPARE(service.service->name, std::string("redis-cart"));
    QCOMPARE(w.topology->lookup(*mesh::parseIp("10.59.118.59")).kind,
             mesh::AddressOwner::Kind::None);
}

void tst_Topology::dns_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("podNamespace");
    QTest::addColumn<QString>("expected"); ///< empty: does not resolve
    QTest::addRow("fqdn") << "redis-cart.default.svc.cluster.local"
                          << "default"
                          << "10.11.240.3";
    QTest::addRow("fqdn-from-other-namespace") << "redis-cart.default.svc.cluster.local"
                                               << "istio-system"
                                               << "10.11.240.3";
    QTest::addRow("short-name-same-namespace") << "redis-cart"
                                               << "default"
                                               << "10.11.240.3";
    QTest::addRow("short-name-other-namespace") << "redis-cart"
                                                << "istio-system"
                                                << "";
    QTest::addRow("name-dot-namespace") << "istio-egressgateway.istio-system"
                                        << "default"
                                        << "10.11.240.2";
    QTest::addRow("name-namespace-svc") << "redis-cart.default.svc"
                                        << "istio-system"
                                        << "10.11.240.3";
    QTest::addRow("absolute-with-dot") << "redis-cart.default.svc.cluster.local."
                                       << "default"
                                       << "10.11.240.3";
    QTest::addRow("case-insensitive") << "Redis-Cart"
                                      << "default"
                                      << "10.11.240.3";
    QTest::addRow("redis-domain-does-not-resolve") << "redis.domain"
                                                   << "default"
                                                   << "";
    QTest::addRow("unknown-service") << "nosuch"
                                     << "default"
                                     << "";
    QTest::addRow("ip-literal") << "10.59.118.59"
                                << "default"
                                << "10.59.118.59";
}

void tst_Topology::dns()
{
    QFETCH(QString, name);
    QFETCH(QString, podNamespace);
    QFETCH(QString, expected);
    World w;
    w.install();
    const mesh::ClusterDns dns(*w.topology);
    const auto ip = dns.resolve(name.toStdString(), podNamespace.toStdString());
    QCOMPARE(ip ? ipText(*ip) : QString(), expected);
    const auto hook = dns.resolver(podNamespace.toStdString());
    QCOMPARE(hook(name.toStdString()).has_value(), !expected.isEmpty());
    QCOMPARE(ipText(mesh::ClusterDns::serverAddress()), QString("10.11.240.10"));
}

QTEST_APPLESS_MAIN(tst_Topology)
#include "tst_topology.moc"
