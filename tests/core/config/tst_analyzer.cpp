// SPDX-License-Identifier: GPL-3.0-or-later
// `istioctl analyze` over the store plus files: each code where the lab state triggers it and
// where it does not, istioctl's lines, file positions, ordering, scope and exit statuses.
#include "core/common/text.h"
#include "core/config/analyzer.h"
#include "core/config/store.h"

#include <QtTest>
#include <memory>

using namespace meshcraft::core;
using namespace meshcraft::core::config;

namespace {

const QString DataDir = QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/config/analyzer/");

std::string fixture(const QString &name)
{
    const auto text = common::readFile((DataDir + name).toStdString());
    if (!text) {
        qFatal("missing fixture %s", qPrintable(name));
    }
    return *text;
}

/// The lab cluster after step 4: namespaces, the egress gateway, the injected busybox.
const QStringList Lab = {"namespaces.yaml", "egressgateway.yaml", "busybox.yaml"};
/// ... and after step 9: the workshop's ServiceEntry, Gateway and DestinationRule.
const QStringList Step9 = Lab + QStringList{"redis-serviceentry.yaml", "redis-egress.yaml"};
/// After step 6 as real Helm 2 would leave it: no egress gateway any more.
const QStringList GatewayGone = {"namespaces.yaml", "busybox.yaml", "redis-serviceentry.yaml",
                                 "redis-egress.yaml"};

/// Applies fixtures (names ending in .yaml) and inline YAML documents, unvalidated, the way
/// the lab and Tiller write them.
std::unique_ptr<Store> makeStore(const QStringList &sources)
{
    auto store = std::make_unique<Store>();
    store->createSystemNamespaces();
    ApplyOptions unvalidated;
    unvalidated.validate = false;
    for (const QString &source : sources) {
        const bool isFile = source.endsWith(QLatin1String(".yaml")) && !source.contains('\n');
        const std::string text = isFile ? fixture(source) : source.toStdString();
        const ApplyResult result =
            store->applyText(text, isFile ? source.toStdString() : "inline.yaml",
                             ApplyMode::PerDocument, unvalidated);
        if (!result.ok()) {
            qFatal("fixture did not apply: %s", common::join(result.outputLines(), "\n").c_str());
        }
    }
    return store;
}

QStringList toQStringList(const std::vector<std::string> &lines)
{
    QStringList out;
    for (const std::string &line : lines) {
        out << QString::fromStdString(line);
    }
    return out;
}

QStringList linesWithCode(const AnalysisResult &result, const QString &code)
{
    QStringList out;
    for (const AnalysisMessage &message : result.messages) {
        if (QString::fromStdString(message.code) == code) {
            out << QString::fromStdString(message.toString());
        }
    }
    return out;
}

/// What a run prints, in the layout of the .expected files.
QString rendered(const AnalysisResult &result)
{
    QString out = "[stdout]\n" + toQStringList(result.stdoutLines).join('\n') + "\n[stderr]\n";
    for (const std::string &line : result.stderrLines) {
        out += QString::fromStdString(line) + '\n';
    }
    return out + "[exit] " + QString::number(result.exitStatus) + '\n';
}

const char *const RedisVs = R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: redis-vs
spec:
  hosts:
  - %1
  gateways:
  - %2
  tcp:
  - route:
    - destination:
        host: %3
)";

/// A VirtualService on `hosts: [host]`, `gateways: [gateway]` whose one TCP route goes to
/// `destination` (extra destination fields indented under it).
QString redisVs(const QString &host, const QString &gateway, const QString &destination,
                const QString &extra = {})
{
    return QString::fromLatin1(RedisVs).arg(host, gateway, destination) + extra;
}

QString namedVs(const QString &name, const QString &host, const QString &gatewaysBlock)
{
    return QStringLiteral("apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\n"
                          "metadata:\n  name: %1\nspec:\n  hosts:\n  - %2\n%3"
                          "  tcp:\n  - route:\n    - destination:\n        host: %2\n")
        .arg(name, host, gatewaysBlock);
}

QString gateway(const QString &name, int port, const QString &host)
{
    return QStringLiteral("apiVersion: networking.istio.io/v1alpha3\nkind: Gateway\n"
                          "metadata:\n  name: %1\nspec:\n  selector:\n    istio: egressgateway\n"
                          "  servers:\n  - port:\n      number: %2\n      name: tcp-redis\n"
                          "      protocol: TCP\n    hosts:\n    - %3\n")
        .arg(name)
        .arg(port)
        .arg(host);
}

const QString LabelledDefault =
    QStringLiteral("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n"
                   "    istio-injection: enabled\n");

const QString EgressFqdn = QStringLiteral("istio-egressgateway.istio-system.svc.cluster.local");

const QString Ist0102Default = QStringLiteral(
    "Info [IST0102] (Namespace default) The namespace is not enabled for Istio injection. Run "
    "'kubectl label namespace default istio-injection=enabled' to enable it, or 'kubectl label "
    "namespace default istio-injection=disabled' to explicitly mark it as not needing "
    "injection.");

QString ist0162(const QString &origin, int port)
{
    return QStringLiteral("Warning [IST0162] (%1) The gateway is listening on a target port (port "
                          "%2) that is not defined in the Service associated with its workload "
                          "instances (Pod selector istio=egressgateway). If you need to access "
                          "the gateway port through the gateway Service, it will not be "
                          "available.")
        .arg(origin)
        .arg(port);
}

} // namespace

class tst_Analyzer : public QObject
{
    Q_OBJECT

private slots:
    void codes_data();
    void codes();
    void golden_data();
    void golden();
    void fileLinesFollowIstioctlsReader_data();
    void fileLinesFollowIstioctlsReader();
    void fileObjectShadowsClusterObject();
    void filesIgnorePodsServicesAndNamespaces();
    void namespaceScope_data();
    void namespaceScope();
    void missingNamespaceIsReportedLikeIstioctl();
    void thresholds_data();
    void thresholds();
    void successLineNamesTheFiles();
    void unparsableFileExits65();
    void suppressions_data();
    void suppressions();
    void identicalMessagesAreDeduplicated();
    void levelNamesParse();
};

void tst_Analyzer::codes_data()
{
    QTest::addColumn<QStringList>("state");
    QTest::addColumn<QString>("file"); // analysed on top of the state as "f.yaml"
    QTest::addColumn<QString>("code");
    QTest::addColumn<QStringList>("expected");

    const QString se = QStringLiteral("redis-serviceentry.yaml");

    // IST0101 ReferencedResourceNotFound
    QTest::addRow("IST0101-gateway-selector-matches-egress-pod")
        << Step9 << QString() << "IST0101" << QStringList();
    QTest::addRow("IST0101-gateway-selector-no-pod")
        << GatewayGone << QString() << "IST0101"
        << QStringList{"Error [IST0101] (Gateway default/istio-egressgateway) Referenced selector "
                       "not found: \"istio=egressgateway\""};
    QTest::addRow("IST0101-gateway-selector-no-pod-from-file")
        << QStringList{"namespaces.yaml", "busybox.yaml"}
        << QString::fromStdString(fixture("redis-egress.yaml")) << "IST0101"
        << QStringList{"Error [IST0101] (Gateway default/istio-egressgateway f.yaml:7) Referenced "
                       "selector not found: \"istio=egressgateway\""};
    QTest::addRow("IST0101-vs-gateway-found")
        << (Step9 + QStringList{redisVs("redis.domain", "istio-egressgateway", "redis.domain")})
        << QString() << "IST0101" << QStringList();
    QTest::addRow("IST0101-vs-gateway-missing")
        << (Lab + QStringList{se, redisVs("redis.domain", "istio-egressgateway", "redis.domain")})
        << QString() << "IST0101"
        << QStringList{"Error [IST0101] (VirtualService default/redis-vs) Referenced gateway not "
                       "found: \"istio-egressgateway\""};
    QTest::addRow("IST0101-vs-gateway-missing-from-file")
        << (Lab + QStringList{se}) << redisVs("redis.domain", "istio-egressgateway", "redis.domain")
        << "IST0101"
        << QStringList{"Error [IST0101] (VirtualService default/redis-vs f.yaml:9) Referenced "
                       "gateway not found: \"istio-egressgateway\""};
    QTest::addRow("IST0101-vs-subset-defined")
        << Step9
        << redisVs("redis.domain", "mesh", EgressFqdn,
                   "        subset: redis-serviceentry\n        port:\n          number: 443\n")
        << "IST0101" << QStringList();
    QTest::addRow("IST0101-vs-subset-missing")
        << Step9
        << redisVs("redis.domain", "mesh", EgressFqdn,
                   "        subset: redis\n        port:\n          number: 443\n")
        << "IST0101"
        << QStringList{"Error [IST0101] (VirtualService default/redis-vs f.yaml:13) Referenced "
                       "host+subset in destinationrule not found: "
                       "\"istio-egressgateway.istio-system.svc.cluster.local+redis\""};
    QTest::addRow("IST0101-vs-host-known")
        << (Lab + QStringList{se}) << redisVs("redis.domain", "mesh", "redis.domain") << "IST0101"
        << QStringList();
    QTest::addRow("IST0101-vs-host-unknown")
        << (Lab + QStringList{se}) << redisVs("redis.domain", "mesh", "redis.example") << "IST0101"
        << QStringList{"Error [IST0101] (VirtualService default/redis-vs f.yaml:13) Referenced "
                       "host not found: \"redis.example\""};
    QTest::addRow("IST0101-vs-host-port-missing")
        << Lab
        << redisVs("redis.domain", "mesh", EgressFqdn, "        port:\n          number: 7777\n")
        << "IST0101"
        << QStringList{"Error [IST0101] (VirtualService default/redis-vs f.yaml:13) Referenced "
                       "host:port not found: "
                       "\"istio-egressgateway.istio-system.svc.cluster.local:7777\""};
    QTest::addRow("IST0101-vs-mirror-host-unknown")
        << (Lab + QStringList{se})
        << QStringLiteral("apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\n"
                          "metadata:\n  name: redis-vs\nspec:\n  hosts:\n  - redis.domain\n"
                          "  http:\n  - route:\n    - destination:\n        host: redis.domain\n"
                          "    mirror:\n      host: shadow.example\n")
        << "IST0101"
        << QStringList{"Error [IST0101] (VirtualService default/redis-vs f.yaml:13) Referenced "
                       "mirror host not found: \"shadow.example\""};
    QTest::addRow("IST0101-vs-step11-references-resolve")
        << (Lab + QStringList{"step11.yaml"}) << QString() << "IST0101" << QStringList();

    // IST0102 NamespaceNotInjected
    QTest::addRow("IST0102-default-not-labelled")
        << Lab << QString() << "IST0102" << QStringList{Ist0102Default};
    QTest::addRow("IST0102-default-labelled")
        << (Lab + QStringList{LabelledDefault}) << QString() << "IST0102" << QStringList();
    QTest::addRow("IST0102-injection-disabled-label")
        << (Lab + QStringList{QString(LabelledDefault).replace("enabled", "disabled")}) << QString()
        << "IST0102" << QStringList();

    // IST0103 PodMissingProxy (only in namespaces labelled for injection)
    const QString plainPod = QStringLiteral("apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\n"
                                            "spec:\n  containers:\n  - name: app\n"
                                            "    image: busybox\n");
    QTest::addRow("IST0103-injected-busybox")
        << (Lab + QStringList{LabelledDefault}) << QString() << "IST0103" << QStringList();
    QTest::addRow("IST0103-pod-without-proxy")
        << (Lab + QStringList{LabelledDefault, plainPod}) << QString() << "IST0103"
        << QStringList{"Warning [IST0103] (Pod default/plain) The pod default/plain is missing the "
                       "Istio proxy. This can often be resolved by restarting or redeploying the "
                       "workload."};
    QTest::addRow("IST0103-unlabelled-namespace-not-checked")
        << (Lab + QStringList{plainPod}) << QString() << "IST0103" << QStringList();

    // IST0109 ConflictingMeshGatewayVirtualServiceHosts
    const QString meshVsA = namedVs("redis-a", "redis.domain", {});
    const QString meshVsB = namedVs("redis-b", "redis.domain", "  gateways:\n  - mesh\n");
    const QString gatewayOnlyVs =
        namedVs("redis-b", "redis.domain", "  gateways:\n  - istio-egressgateway\n");
    const QString conflict = QStringLiteral(
        "Error [IST0109] (VirtualService default/%1) The VirtualServices "
        "default/redis-a,default/redis-b associated with mesh gateway define the same host "
        "*/redis.domain which can lead to undefined behavior. This can be fixed by merging the "
        "conflicting VirtualServices into a single resource.");
    QTest::addRow("IST0109-one-vs-per-host-on-mesh")
        << (Step9 + QStringList{meshVsA, gatewayOnlyVs}) << QString() << "IST0109" << QStringList();
    QTest::addRow("IST0109-two-vs-same-host-on-mesh")
        << (Step9 + QStringList{meshVsA, meshVsB}) << QString() << "IST0109"
        << QStringList{conflict.arg("redis-a"), conflict.arg("redis-b")};

    // IST0112 VirtualServiceDestinationPortSelectorRequired
    QTest::addRow("IST0112-single-port-service")
        << (Lab + QStringList{se}) << redisVs("redis.domain", "mesh", "redis.domain") << "IST0112"
        << QStringList();
    QTest::addRow("IST0112-egress-gateway-without-port")
        << Lab << redisVs("redis.domain", "mesh", EgressFqdn) << "IST0112"
        << QStringList{"Error [IST0112] (VirtualService default/redis-vs f.yaml:13) This "
                       "VirtualService routes to a service "
                       "\"istio-egressgateway.istio-system.svc.cluster.local\" that exposes "
                       "multiple ports [80 443 15443]. Specifying a port in the destination is "
                       "required to disambiguate."};

    // IST0132 VirtualServiceHostNotFoundInGateway
    QTest::addRow("IST0132-vs-host-on-gateway")
        << (Step9 + QStringList{redisVs("redis.domain", "istio-egressgateway", "redis.domain")})
        << QString() << "IST0132" << QStringList();
    QTest::addRow("IST0132-vs-host-not-on-gateway")
        << (Step9 + QStringList{redisVs("redis.example", "istio-egressgateway", "redis.domain")})
        << QString() << "IST0132"
        << QStringList{"Warning [IST0132] (VirtualService default/redis-vs) one or more host "
                       "[redis.example] defined in VirtualService default/redis-vs not found in "
                       "Gateway default/istio-egressgateway."};

    // A missing Gateway has no hosts either: istioctl reports both.
    QTest::addRow("IST0132-gateway-missing")
        << (Lab + QStringList{se, redisVs("redis.domain", "istio-egressgateway", "redis.domain")})
        << QString() << "IST0132"
        << QStringList{"Warning [IST0132] (VirtualService default/redis-vs) one or more host "
                       "[redis.domain] defined in VirtualService default/redis-vs not found in "
                       "Gateway default/istio-egressgateway."};
    QTest::addRow("IST0132-gateway-in-other-namespace-by-full-name")
        << (Step9 +
            QStringList{redisVs("redis.domain", "default/istio-egressgateway", "redis.domain")})
        << QString() << "IST0132" << QStringList();

    // IST0134 ServiceEntryAddressesRequired
    QString noAddresses = QString::fromStdString(fixture("redis-serviceentry.yaml"));
    noAddresses.replace("  addresses:\n  - 10.59.118.59 # VIPs\n", "");
    QTest::addRow("IST0134-workshop-serviceentry-has-addresses")
        << Lab << QString::fromStdString(fixture("redis-serviceentry.yaml")) << "IST0134"
        << QStringList();
    QTest::addRow("IST0134-tcp-port-without-addresses")
        << Lab << noAddresses << "IST0134"
        << QStringList{"Warning [IST0134] (ServiceEntry default/redis-serviceentry f.yaml:10) "
                       "ServiceEntry addresses are required for this protocol."};
    QTest::addRow("IST0134-tcp-port-without-addresses-in-cluster")
        << (Lab + QStringList{noAddresses}) << QString() << "IST0134"
        << QStringList{"Warning [IST0134] (ServiceEntry default/redis-serviceentry) ServiceEntry "
                       "addresses are required for this protocol."};

    // IST0145 ConflictingGateways
    QTest::addRow("IST0145-second-gateway-other-host")
        << (Step9 + QStringList{gateway("redis-gateway-copy", 6379, "cache.domain")}) << QString()
        << "IST0145" << QStringList();
    QTest::addRow("IST0145-second-gateway-same-selector-port-host")
        << (Step9 + QStringList{gateway("redis-gateway-copy", 6379, "redis.domain")}) << QString()
        << "IST0145"
        << QStringList{"Error [IST0145] (Gateway default/istio-egressgateway) Conflict with "
                       "gateways default/redis-gateway-copy (workload selector "
                       "istio=egressgateway, port 6379, hosts redis.domain).",
                       "Error [IST0145] (Gateway default/redis-gateway-copy) Conflict with "
                       "gateways default/istio-egressgateway (workload selector "
                       "istio=egressgateway, port 6379, hosts redis.domain)."};

    // IST0162 GatewayPortNotDefinedOnService
    QTest::addRow("IST0162-gateway-port-not-on-service")
        << Step9 << QString() << "IST0162"
        << QStringList{ist0162("Gateway default/istio-egressgateway", 6379)};
    QTest::addRow("IST0162-gateway-port-not-on-service-from-file")
        << Lab << QString::fromStdString(fixture("redis-egress.yaml")) << "IST0162"
        << QStringList{ist0162("Gateway default/istio-egressgateway f.yaml:7", 6379)};
    QTest::addRow("IST0162-service-gains-6379-in-step11")
        << (Lab + QStringList{"step11.yaml"}) << QString() << "IST0162" << QStringList();
    QTest::addRow("IST0162-gateway-on-443")
        << (Lab + QStringList{gateway("istio-egressgateway", 443, "redis.domain")}) << QString()
        << "IST0162" << QStringList();
    QString retargeted = QString::fromStdString(fixture("egressgateway.yaml"));
    retargeted.replace("    port: 80\n", "    port: 6379\n    targetPort: 16379\n");
    QTest::addRow("IST0162-service-port-is-not-the-target-port")
        << (QStringList{"namespaces.yaml", retargeted, "redis-egress.yaml"}) << QString()
        << "IST0162" << QStringList{ist0162("Gateway default/istio-egressgateway", 6379)};

    // IST0174 UnknownDestinationRuleHost
    QTest::addRow("IST0174-dr-host-is-egress-gateway-service")
        << Step9 << QString() << "IST0174" << QStringList();
    QTest::addRow("IST0174-dr-host-after-gateway-removed")
        << GatewayGone << QString() << "IST0174"
        << QStringList{"Warning [IST0174] (DestinationRule default/redis-egressgateway) The host "
                       "istio-egressgateway.istio-system.svc.cluster.local defined in the "
                       "DestinationRule does not match any services in the mesh."};
    QTest::addRow("IST0174-dr-short-host-unknown-from-file")
        << Lab
        << QStringLiteral("apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\n"
                          "metadata:\n  name: redis\nspec:\n  host: redis\n")
        << "IST0174"
        << QStringList{"Warning [IST0174] (DestinationRule default/redis f.yaml:1) The host redis "
                       "defined in the DestinationRule does not match any services in the mesh."};
}

void tst_Analyzer::codes()
{
    QFETCH(QStringList, state);
    QFETCH(QString, file);
    QFETCH(QString, code);
    QFETCH(QStringList, expected);

    const auto store = makeStore(state);
    AnalysisInput input;
    input.store = store.get();
    if (!file.isEmpty()) {
        input.files.push_back({"f.yaml", file.toStdString()});
    }
    const AnalysisResult result = analyze(input);
    QVERIFY2(result.fileDiagnostics.empty(),
             common::formatDiagnostics(result.fileDiagnostics).c_str());
    QCOMPARE(linesWithCode(result, code), expected);
}

void tst_Analyzer::golden_data()
{
    QTest::addColumn<QStringList>("state");
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QString>("expected");

    // Step 9 applied: the gateway's 6379 is not on the egress Service; default not injected.
    QTest::addRow("step9-cluster") << Step9 << QStringList() << "step9-cluster.expected";
    // The same resources given as files on top of the step-4 cluster: file:line appear.
    QTest::addRow("step9-files") << Lab
                                 << QStringList{"redis-serviceentry.yaml", "redis-egress.yaml"}
                                 << "step9-files.expected";
    // After step 6 as Helm 2 really behaves: the egress gateway is gone, errors, exit 79.
    QTest::addRow("egress-gateway-gone")
        << GatewayGone << QStringList() << "egress-gateway-gone.expected";
    // Step 11 in a labelled namespace: nothing to report.
    QTest::addRow("step11-clean") << (Lab + QStringList{"step11.yaml", LabelledDefault})
                                  << QStringList() << "step11-clean.expected";
}

void tst_Analyzer::golden()
{
    QFETCH(QStringList, state);
    QFETCH(QStringList, files);
    QFETCH(QString, expected);

    const auto store = makeStore(state);
    AnalysisInput input;
    input.store = store.get();
    for (const QString &name : files) {
        input.files.push_back({name.toStdString(), fixture(name)});
    }
    QCOMPARE(rendered(analyze(input)), QString::fromStdString(fixture(expected)));
}

void tst_Analyzer::fileLinesFollowIstioctlsReader_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");

    const QString gw = QStringLiteral(
        "apiVersion: networking.istio.io/v1alpha3\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n"
        "  selector:\n    istio: ingress\n  servers:\n  - port:\n      number: 80\n"
        "      name: http\n      protocol: HTTP\n    hosts:\n    - \"*\"\n");
    const QString dr = QStringLiteral("apiVersion: networking.istio.io/v1alpha3\n"
                                      "kind: DestinationRule\nmetadata:\n  name: dr\n"
                                      "spec:\n  host: nowhere.example\n");
    const QString selector = QStringLiteral("Error [IST0101] (Gateway default/gw f.yaml:%1) "
                                            "Referenced selector not found: \"istio=ingress\"");
    const QString unknown = QStringLiteral("Warning [IST0174] (DestinationRule default/dr "
                                           "f.yaml:%1) The host nowhere.example defined in the "
                                           "DestinationRule does not match any services in the "
                                           "mesh.");

    QTest::addRow("plain-documents")
        << gw + "---\n" + dr << QStringList{selector.arg(7), unknown.arg(16)};
    // A chunk's line is its first line that is not empty and not `---`; comments count.
    QTest::addRow("comment-starts-the-chunk")
        << gw + "---\n# the rule\n" + dr << QStringList{selector.arg(7), unknown.arg(16)};
    // istioctl counts field lines from where the chunk's buffer begins, so a leading `---`
    // or blank line makes them one late, while the chunk's own line stays right.
    QTest::addRow("leading-separator-shifts-field-lines")
        << "---\n" + gw + "---\n\n" + dr << QStringList{selector.arg(9), unknown.arg(18)};
}

void tst_Analyzer::fileLinesFollowIstioctlsReader()
{
    QFETCH(QString, text);
    QFETCH(QStringList, expected);

    const auto store = makeStore(Lab);
    AnalysisInput input;
    input.store = store.get();
    input.files.push_back({"f.yaml", text.toStdString()});
    const AnalysisResult result = analyze(input);
    QCOMPARE(linesWithCode(result, "IST0101") + linesWithCode(result, "IST0174"), expected);
}

void tst_Analyzer::fileObjectShadowsClusterObject()
{
    // The cluster's Gateway listens on 6379; the file's Gateway of the same name on 443.
    const auto store = makeStore(Step9);
    AnalysisInput input;
    input.store = store.get();
    QCOMPARE(linesWithCode(analyze(input), "IST0162").size(), 1);
    input.files.push_back(
        {"gw.yaml", gateway("istio-egressgateway", 443, "redis.domain").toStdString()});
    QCOMPARE(linesWithCode(analyze(input), "IST0162"), QStringList());
}

void tst_Analyzer::filesIgnorePodsServicesAndNamespaces()
{
    // istioctl reads no Pods, Services or Namespaces from files: the egress gateway given only
    // as a file does not make the Gateway's selector match.
    const auto store = makeStore({"namespaces.yaml", "busybox.yaml", "redis-egress.yaml"});
    AnalysisInput input;
    input.store = store.get();
    input.files.push_back({"egressgateway.yaml", fixture("egressgateway.yaml")});
    input.files.push_back({"ns.yaml", LabelledDefault.toStdString()});
    const AnalysisResult result = analyze(input);
    QCOMPARE(linesWithCode(result, "IST0101").size(), 1);
    QCOMPARE(linesWithCode(result, "IST0102"), QStringList{Ist0102Default});
}

void tst_Analyzer::namespaceScope_data()
{
    QTest::addColumn<QString>("nameSpace");
    QTest::addColumn<bool>("all");
    QTest::addColumn<QStringList>("codes");
    QTest::addColumn<QString>("lastStderr");

    QTest::addRow("default") << QString() << false << QStringList{"IST0101", "IST0174", "IST0102"}
                             << "See https://istio.io/v1.30/docs/reference/config/analysis for "
                                "more information about causes and resolutions.";
    QTest::addRow("istio-system-only-its-own")
        << "istio-system" << false << QStringList{"IST0101"}
        << "See https://istio.io/v1.30/docs/reference/config/analysis for more information "
           "about causes and resolutions.";
    QTest::addRow("kube-system-is-never-analysed")
        << "kube-system" << false << QStringList()
        << QString::fromUtf8("\u2714 No validation issues found when analyzing namespace: "
                             "kube-system.");
    QTest::addRow("all-namespaces")
        << QString() << true << QStringList{"IST0101", "IST0101", "IST0174", "IST0102"}
        << "See https://istio.io/v1.30/docs/reference/config/analysis for more information "
           "about causes and resolutions.";
}

void tst_Analyzer::namespaceScope()
{
    QFETCH(QString, nameSpace);
    QFETCH(bool, all);
    QFETCH(QStringList, codes);
    QFETCH(QString, lastStderr);

    // The gateway is gone; a second broken Gateway lives in istio-system.
    const QString other = QStringLiteral(
        "apiVersion: networking.istio.io/v1alpha3\nkind: Gateway\nmetadata:\n  name: ingress\n"
        "  namespace: istio-system\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n"
        "  - port:\n      number: 80\n      name: http\n      protocol: HTTP\n    hosts:\n"
        "    - \"*\"\n");
    const auto store = makeStore(GatewayGone + QStringList{other});
    AnalysisInput input;
    input.store = store.get();
    input.nameSpace = nameSpace.toStdString();
    input.allNamespaces = all;
    const AnalysisResult result = analyze(input);
    QStringList got;
    for (const AnalysisMessage &message : result.messages) {
        got << QString::fromStdString(message.code);
    }
    QCOMPARE(got, codes);
    QCOMPARE(QString::fromStdString(result.stderrLines.back()), lastStderr);
    if (all) {
        QCOMPARE(QString::fromStdString(result.stderrLines.front()),
                 QStringLiteral("Error: Analyzers found issues when analyzing all namespaces."));
    }
}

void tst_Analyzer::missingNamespaceIsReportedLikeIstioctl()
{
    const auto store = makeStore(Lab);
    AnalysisInput input;
    input.store = store.get();
    input.nameSpace = "shop";
    const AnalysisResult result = analyze(input);
    QCOMPARE(toQStringList(result.stderrLines), QStringList{"namespace \"shop\" not found"});
    QVERIFY(result.stdoutLines.empty());
    QCOMPARE(result.exitStatus, 0);
}

void tst_Analyzer::thresholds_data()
{
    QTest::addColumn<QString>("failure");
    QTest::addColumn<QString>("output");
    QTest::addColumn<int>("stdoutCount");
    QTest::addColumn<int>("exitStatus");

    // Step 9: one Warning (IST0162) and one Info (IST0102).
    QTest::addRow("defaults-warnings-pass") << "Error"
                                            << "Info" << 2 << 0;
    QTest::addRow("failure-on-warning") << "Warning"
                                        << "Info" << 2 << 79;
    QTest::addRow("failure-on-info") << "info"
                                     << "Info" << 2 << 79;
    QTest::addRow("output-warnings-only") << "Error"
                                          << "Warning" << 1 << 0;
}

void tst_Analyzer::thresholds()
{
    QFETCH(QString, failure);
    QFETCH(QString, output);
    QFETCH(int, stdoutCount);
    QFETCH(int, exitStatus);

    const auto store = makeStore(Step9);
    AnalysisInput input;
    input.store = store.get();
    input.failureThreshold = *parseAnalysisLevel(failure.toStdString());
    input.outputThreshold = *parseAnalysisLevel(output.toStdString());
    const AnalysisResult result = analyze(input);
    QCOMPARE(int(result.stdoutLines.size()), stdoutCount);
    QCOMPARE(result.exitStatus, exitStatus);
    QCOMPARE(result.stderrLines.empty(), exitStatus == 0);
}

void tst_Analyzer::successLineNamesTheFiles()
{
    const auto store = makeStore(Lab + QStringList{"step11.yaml", LabelledDefault});
    AnalysisInput input;
    input.store = store.get();
    input.files.push_back({"redis-serviceentry.yaml", fixture("redis-serviceentry.yaml")});
    input.files.push_back({"step11.yaml", fixture("step11.yaml")});
    const AnalysisResult result = analyze(input);
    QCOMPARE(toQStringList(result.stdoutLines), QStringList{QString()});
    QCOMPARE(toQStringList(result.stderrLines),
             (QStringList{QString::fromUtf8("\u2714 No validation issues found when analyzing "
                                            "redis-serviceentry.yaml"),
                          "step11.yaml."}));
    QCOMPARE(result.exitStatus, 0);

    // Files alone (--use-kube=false): no cluster, no namespace check.
    AnalysisInput filesOnly;
    filesOnly.files.push_back({"redis-serviceentry.yaml", fixture("redis-serviceentry.yaml")});
    QCOMPARE(analyze(filesOnly).exitStatus, 0);
    QVERIFY(analyze(filesOnly).messages.empty());
}

void tst_Analyzer::unparsableFileExits65()
{
    const auto store = makeStore(Lab + QStringList{LabelledDefault});
    AnalysisInput input;
    input.store = store.get();
    input.files.push_back({"bad.yaml", "kind: [unclosed\n"});
    const AnalysisResult result = analyze(input);
    QCOMPARE(result.fileDiagnostics.size(), std::size_t(1));
    QCOMPARE(result.exitStatus, AnalyzeExitFileParseError);
    const QStringList err = toQStringList(result.stderrLines);
    QCOMPARE(err.size(), 5);
    QCOMPARE(err[0], QStringLiteral("Error(s) adding files: 1 error occurred:"));
    QVERIFY2(err[1].startsWith("\t* bad.yaml:"), qPrintable(err[1]));
    QCOMPARE(err[2], QString());
    QCOMPARE(err[3], QStringLiteral("No validation issues found when analyzing namespace: "
                                    "default (but 1 file could not be parsed)."));
    QCOMPARE(err[4], QStringLiteral("Error: Some files couldn't be parsed."));
}

void tst_Analyzer::suppressions_data()
{
    QTest::addColumn<QStringList>("suppress");
    QTest::addColumn<QString>("annotation");
    QTest::addColumn<QStringList>("codes");

    QTest::addRow("none") << QStringList() << QString() << QStringList{"IST0162", "IST0102"};
    QTest::addRow("flag-exact") << QStringList{"IST0102=Namespace default"} << QString()
                                << QStringList{"IST0162"};
    QTest::addRow("flag-wildcard")
        << QStringList{"IST0162=Gateway *"} << QString() << QStringList{"IST0102"};
    QTest::addRow("flag-other-code")
        << QStringList{"IST0101=Gateway *"} << QString() << QStringList{"IST0162", "IST0102"};
    QTest::addRow("annotation") << QStringList() << "IST0162" << QStringList{"IST0102"};
    QTest::addRow("annotation-star") << QStringList() << "\"*\"" << QStringList{"IST0102"};
}

void tst_Analyzer::suppressions()
{
    QFETCH(QStringList, suppress);
    QFETCH(QString, annotation);
    QFETCH(QStringList, codes);

    QStringList state = Step9;
    if (!annotation.isEmpty()) {
        QString annotated = QString::fromStdString(fixture("redis-egress.yaml"));
        annotated.replace("  name: istio-egressgateway\n",
                          "  name: istio-egressgateway\n  annotations:\n"
                          "    galley.istio.io/analyze-suppress: " +
                              annotation + "\n");
        state.replace(state.indexOf("redis-egress.yaml"), annotated);
    }
    const auto store = makeStore(state);
    AnalysisInput input;
    input.store = store.get();
    for (const QString &entry : suppress) {
        input.suppressions.push_back(entry.toStdString());
    }
    QStringList got;
    for (const AnalysisMessage &message : analyze(input).messages) {
        got << QString::fromStdString(message.code);
    }
    QCOMPARE(got, codes);
}

void tst_Analyzer::identicalMessagesAreDeduplicated()
{
    // Two unnamed TCP ports give the same line twice in the cluster (no file, no line): one.
    const QString se = QStringLiteral(
        "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata:\n  name: two\n"
        "spec:\n  hosts:\n  - two.example\n  ports:\n  - number: 1\n    protocol: TCP\n"
        "  - number: 2\n");
    const auto store = makeStore(Lab + QStringList{se});
    AnalysisInput input;
    input.store = store.get();
    QCOMPARE(linesWithCode(analyze(input), "IST0134").size(), 1);
    // From a file each port's `name` line differs, but unnamed ports share the chunk's line.
    input.files.push_back({"two.yaml", se.toStdString()});
    QCOMPARE(linesWithCode(analyze(input), "IST0134"),
             QStringList{"Warning [IST0134] (ServiceEntry default/two two.yaml:1) ServiceEntry "
                         "addresses are required for this protocol."});
}

void tst_Analyzer::levelNamesParse()
{
    QCOMPARE(parseAnalysisLevel("ERROR"), std::optional(common::Severity::Error));
    QCOMPARE(parseAnalysisLevel("warning"), std::optional(common::Severity::Warning));
    QCOMPARE(parseAnalysisLevel("Info"), std::optional(common::Severity::Info));
    QCOMPARE(parseAnalysisLevel("fatal"), std::nullopt);
    QCOMPARE(QString(analysisLevelName(common::Severity::Warning)), QStringLiteral("Warning"));
}

QTEST_APPLESS_MAIN(tst_Analyzer)
#include "tst_analyzer.moc"
