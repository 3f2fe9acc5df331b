// SPDX-License-Identifier: GPL-3.0-or-later
// The Helm 2 values model (--set, --set-string, -f, --reuse-values, upgrade semantics), the
// istio release rendering its objects into the store, and the mesh config it produces.
#include "core/common/text.h"
#include "core/config/helm_release.h"
#include "core/config/helm_values.h"
#include "core/config/k8s_types.h"
#include "core/config/mesh_config.h"
#include "core/config/store.h"

#include <QtTest>

using namespace meshcraft::core;
using namespace meshcraft::core::config;

namespace {

HelmValuesFile valuesFile(const char *name)
{
    const std::string path = std::string(MESHCRAFT_TEST_DATA_DIR) + "/helm/" + name;
    return HelmValuesFile{name, common::readFile(path).value_or("")};
}

HelmValuesInput workshopInstallValues()
{
    HelmValuesInput input;
    input.files.push_back(valuesFile("istio-srecon-values.yaml"));
    return input;
}

class CountingObserver : public StoreObserver
{
public:
    void onStoreChanged(const StoreChange &) override { ++count; }
    int count = 0;
};

QList<int> egressServicePorts(const Store &store)
{
    QList<int> ports;
    const StoredObject *stored = store.get(Kind::Service, "istio-system", "istio-egressgateway");
    if (!stored) {
        return ports;
    }
    const auto service = serviceFrom(stored->resource);
    for (const ServicePortSpec &port : service->ports) {
        ports << port.port;
    }
    return ports;
}

QString outboundMode(const Store &store)
{
    return meshConfigFromStore(store).config.outboundTrafficPolicy ==
                   OutboundTrafficPolicyMode::RegistryOnly
               ? QStringLiteral("REGISTRY_ONLY")
               : QStringLiteral("ALLOW_ANY");
}

QString notesText(const common::Diagnostics &notes)
{
    QStringList out;
    for (const common::Diagnostic &note : notes) {
        out << QString::fromStdString(note.code + ": " + note.message);
    }
    return out.join('\n');
}

bool hasNote(const common::Diagnostics &notes, const char *code)
{
    return std::any_of(notes.begin(), notes.end(),
                       [&](const common::Diagnostic &note) { return note.code == code; });
}

} // namespace

class tst_Helm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void setParsing_data();
    void setParsing();
    void setErrors_data();
    void setErrors();
    void valuesFilesMergeInOrderThenSet();
    void nullDeletesChartDefault();
    void knownKeys_data();
    void knownKeys();

    void installRendersIntoStoreAsOneChangeSet();
    void chartDefaultEgressPorts();
    void typoKeyKeepsAllowAnyAndSuggests();
    void correctKeySwitchesToRegistryOnly_data();
    void correctKeySwitchesToRegistryOnly();
    void upgradeValueSemantics_data();
    void upgradeValueSemantics();
    void valuesFileAddsRedisPortToEgressGateway();
    void disablingEgressGatewayDeletesItsObjects();
    void liveEditSurvivesAnUnchangedRender();
    void releaseErrors();

    void meshConfigParsing_data();
    void meshConfigParsing();

private:
    const HelmChart *m_chart = nullptr;
    Store *m_store = nullptr;
    HelmRelease *m_release = nullptr;
};

void tst_Helm::initTestCase()
{
    const auto &chart = HelmChart::istio130();
    QVERIFY2(chart.has_value(), chart ? "" : chart.error().message.c_str());
    m_chart = &*chart;
}

void tst_Helm::init()
{
    m_store = new Store;
    m_store->createSystemNamespaces();
    m_release = new HelmRelease(*m_store, *m_chart);
}

void tst_Helm::cleanup()
{
    delete m_release;
    delete m_store;
    m_release = nullptr;
    m_store = nullptr;
}

void tst_Helm::setParsing_data()
{
    QTest::addColumn<QStringList>("set");
    QTest::addColumn<QStringList>("setString");
    QTest::addColumn<QString>("json");

    const QStringList none;
    QTest::addRow("nested") << QStringList{"global.outboundTrafficPolicy.mode=REGISTRY_ONLY"}
                            << none
                            << R"({"global":{"outboundTrafficPolicy":{"mode":"REGISTRY_ONLY"}}})";
    QTest::addRow("typo-is-a-sibling-key")
        << QStringList{"global.outboundTrafficPolicymode=REGISTRY_ONLY"} << none
        << R"({"global":{"outboundTrafficPolicymode":"REGISTRY_ONLY"}})";
    QTest::addRow("list-index") << QStringList{"a[0]=x", "a[2]=z"} << none
                                << R"({"a":["x",null,"z"]})";
    QTest::addRow("list-index-then-key")
        << QStringList{"gateways.istio-egressgateway.ports[3].port=6379",
                       "gateways.istio-egressgateway.ports[3].name=tcp-redis"}
        << none
        << R"({"gateways":{"istio-egressgateway":{"ports":[null,null,null,)"
           R"({"port":6379,"name":"tcp-redis"}]}}})";
    QTest::addRow("nested-list-index")
        << QStringList{"a[0][1]=x"} << none << R"({"a":[[null,"x"]]})";
    QTest::addRow("commas-separate-assignments")
        << QStringList{"a=1,b.c=two,d=true"} << none << R"({"a":1,"b":{"c":"two"},"d":true})";
    QTest::addRow("escaped-comma-in-value")
        << QStringList{R"(a=x\,y,b=z)"} << none << R"({"a":"x,y","b":"z"})";
    QTest::addRow("escaped-dot-in-key")
        << QStringList{R"(podAnnotations.sidecar\.istio\.io/inject=false)"} << none
        << R"({"podAnnotations":{"sidecar.istio.io/inject":false}})";
    QTest::addRow("brace-list") << QStringList{"a={x,2,true}"} << none << R"({"a":["x",2,true]})";
    QTest::addRow("type-int") << QStringList{"n=6379,z=0,neg=-5"} << none
                              << R"({"n":6379,"z":0,"neg":-5})";
    QTest::addRow("type-bool-any-case")
        << QStringList{"a=TRUE,b=False"} << none << R"({"a":true,"b":false})";
    QTest::addRow("type-null") << QStringList{"a=null"} << none << R"({"a":null})";
    QTest::addRow("type-leading-zero-is-string")
        << QStringList{"a=007"} << none << R"({"a":"007"})";
    QTest::addRow("type-float-is-string") << QStringList{"a=1.5"} << none << R"({"a":"1.5"})";
    QTest::addRow("type-empty-is-string") << QStringList{"a="} << none << R"({"a":""})";
    QTest::addRow("set-string-keeps-strings")
        << none << QStringList{"a=6379,b=true,c=null"} << R"({"a":"6379","b":"true","c":"null"})";
    QTest::addRow("set-string-after-set")
        << QStringList{"a=1"} << QStringList{"a=1"} << R"({"a":"1"})";
    QTest::addRow("later-set-wins")
        << QStringList{"a.b=1", "a.c=2", "a.b=3"} << none << R"({"a":{"b":3,"c":2}})";
}

void tst_Helm::setParsing()
{
    QFETCH(QStringList, set);
    QFETCH(QStringList, setString);
    QFETCH(QString, json);
    HelmValuesInput input;
    for (const QString &argument : set) {
        input.set.push_back(argument.toStdString());
    }
    for (const QString &argument : setString) {
        input.setString.push_back(argument.toStdString());
    }
    const auto values = buildValues(input);
    QVERIFY2(values.has_value(), values ? "" : values.error().message.c_str());
    QCOMPARE(QString::fromStdString(toJson(*values)), json);
}

void tst_Helm::setErrors_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("message");
    QTest::addRow("key-without-value") << "global.foo"
                                       << "failed parsing --set data: key \"foo\" has no value";
    QTest::addRow("trailing-comma") << "a,"
                                    << "failed parsing --set data: key \"a\" has no value "
                                       "(cannot end with ,)";
    QTest::addRow("bad-index") << "a[x]=1"
                               << "failed parsing --set data: error parsing index: strconv.Atoi: "
                                  "parsing \"x\": invalid syntax";
    QTest::addRow("negative-index") << "a[-1]=1"
                                    << "failed parsing --set data: negative -1 index not allowed";
    QTest::addRow("huge-index") << "a[99999999]=1"
                                << "failed parsing --set data: index of 99999999 is greater than "
                                   "maximum supported index 65536";
    QTest::addRow("too-deep-keys")
        << QString("a.").repeated(100'000) + "b=1"
        << "failed parsing --set data: values nested deeper than 256 levels";
    QTest::addRow("too-deep-indexes")
        << "a" + QString("[0]").repeated(100'000) + "=1"
        << "failed parsing --set data: values nested deeper than 256 levels";
    QTest::addRow("unterminated-list") << "a={1,2"
                                       << "failed parsing --set data: list must terminate with "
                                          "'}'";
}

void tst_Helm::setErrors()
{
    QFETCH(QString, argument);
    QFETCH(QString, message);
    HelmValuesInput input;
    input.set.push_back(argument.toStdString());
    const auto values = buildValues(input);
    QVERIFY(!values.has_value());
    QCOMPARE(QString::fromStdString(values.error().message), message);
}

void tst_Helm::valuesFilesMergeInOrderThenSet()
{
    HelmValuesInput input;
    input.files.push_back(
        {"a.yaml", "global:\n  mtls:\n    enabled: false\n  tag: one\nlist: [1, 2]\n"});
    input.files.push_back({"b.yaml", "global:\n  tag: two\nlist: [3]\n"});
    input.set.push_back("global.mtls.enabled=true");
    const auto values = buildValues(input);
    QVERIFY(values.has_value());
    QCOMPARE(QString::fromStdString(toJson(*values)),
             QStringLiteral(R"({"global":{"mtls":{"enabled":true},"tag":"two"},"list":[3]})"));
}

void tst_Helm::nullDeletesChartDefault()
{
    HelmValuesInput input;
    input.set.push_back("global.proxy.accessLogFile=null");
    const auto values = buildValues(input);
    QVERIFY(values.has_value());
    const Node computed = coalesceValues(*values, m_chart->defaults());
    QVERIFY(lookupValue(m_chart->defaults(), "global.proxy.accessLogFile"));
    QVERIFY(!lookupValue(computed, "global.proxy.accessLogFile"));
    QVERIFY(lookupValue(computed, "global.proxy.accessLogEncoding"));
}

void tst_Helm::knownKeys_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("known");
    QTest::addColumn<QString>("suggestion");
    QTest::addRow("mode") << "global.outboundTrafficPolicy.mode" << true << QString();
    QTest::addRow("typo-mode") << "global.outboundTrafficPolicymode" << false
                               << "global.outboundTrafficPolicy.mode";
    QTest::addRow("subchart-key") << "gateways.istio-egressgateway.enabled" << true << QString();
    QTest::addRow("subchart-list-item")
        << "gateways.istio-egressgateway.ports[3].name" << true << QString();
    QTest::addRow("free-form-labels")
        << "gateways.istio-egressgateway.labels.team" << true << QString();
    QTest::addRow("null-placeholder") << "global.proxy.envoyStatsd.host" << true << QString();
    QTest::addRow("section-missing") << "mtls.enabled" << false << "global.mtls.enabled";
    QTest::addRow("deeper-than-a-scalar") << "global.tag.major" << false << QString();
    QTest::addRow("nothing-close") << "completely.unrelated.setting" << false << QString();
}

void tst_Helm::knownKeys()
{
    QFETCH(QString, path);
    QFETCH(bool, known);
    QFETCH(QString, suggestion);
    QCOMPARE(m_chart->isKnownKey(path.toStdString()), known);
    if (!known) {
        QCOMPARE(QString::fromStdString(m_chart->suggestKey(path.toStdString()).value_or("")),
                 suggestion);
    }
}

void tst_Helm::installRendersIntoStoreAsOneChangeSet()
{
    CountingObserver observer;
    m_store->addObserver(&observer);
    const auto outcome = m_release->install(workshopInstallValues());
    m_store->removeObserver(&observer);
    QVERIFY2(outcome.has_value(), outcome ? "" : outcome.error().message.c_str());
    QCOMPARE(outcome->revision, 1);
    QCOMPARE(observer.count, 1);
    QVERIFY(m_store->get(Kind::Namespace, "", "istio-system"));
    QVERIFY(m_store->get(Kind::ConfigMap, "istio-system", "istio"));
    const StoredObject *deployment =
        m_store->get(Kind::Deployment, "istio-system", "istio-egressgateway");
    QVERIFY(deployment);
    const auto typed = deploymentFrom(deployment->resource);
    QCOMPARE(QString::fromStdString(typed->templ.labels.at("istio")),
             QStringLiteral("egressgateway"));
    QCOMPARE(QString::fromStdString(typed->templ.labels.at("app")),
             QStringLiteral("istio-egressgateway"));
    QCOMPARE(typed->replicas, 1); // autoscaleEnabled: false in the workshop's values
    QCOMPARE(egressServicePorts(*m_store), (QList<int>{80, 443, 15443}));
    QCOMPARE(outboundMode(*m_store), QStringLiteral("ALLOW_ANY"));
    const MeshConfigResult mesh = meshConfigFromStore(*m_store);
    QVERIFY2(mesh.diagnostics.empty(), qPrintable(notesText(mesh.diagnostics)));
    QCOMPARE(mesh.config.drainDuration, std::chrono::milliseconds(45'000));
    QCOMPARE(mesh.config.connectTimeout, std::chrono::milliseconds(10'000));
    QCOMPARE(mesh.config.accessLogFile, std::string());
    // The workshop's own values file has keys the chart does not read: pilot's requests
    // belong under pilot.resources, and mtls under global.
    const QString tail = "; Helm 2 accepts it without a word, and nothing in the chart reads it";
    QCOMPARE(notesText(outcome->notes),
             QStringList({"helm.unknown-key: simulator note: the istio 1.3.0 chart has no value "
                          "pilot.requests.cpu" +
                              tail,
                          "helm.unknown-key: simulator note: the istio 1.3.0 chart has no value "
                          "pilot.requests.memory" +
                              tail,
                          "helm.unknown-key: simulator note: the istio 1.3.0 chart has no value "
                          "mtls.enabled" +
                              tail + ". Did you mean global.mtls.enabled?"})
                 .join('\n'));
    QCOMPARE(QString::fromStdString(toJson(*lookupValue(m_release->getValues(), "grafana"))),
             QStringLiteral(R"({"enabled":true})"));
}

void tst_Helm::chartDefaultEgressPorts()
{
    HelmValuesInput input;
    QVERIFY(m_release->install(input).has_value());
    QVERIFY(!m_store->get(Kind::Service, "istio-system", "istio-egressgateway"));
    HelmUpgradeOptions upgrade;
    upgrade.values.set.push_back("gateways.istio-egressgateway.enabled=true");
    QVERIFY(m_release->upgrade(upgrade).has_value());
    QCOMPARE(egressServicePorts(*m_store), (QList<int>{80, 443, 15443}));
    const auto service =
        serviceFrom(m_store->get(Kind::Service, "istio-system", "istio-egressgateway")->resource);
    QCOMPARE(service->ports.at(2).name, std::string("tls"));
    QCOMPARE(service->ports.at(2).targetPort, 15443);
    QCOMPARE(QString::fromStdString(service->selector.at("istio")),
             QStringLiteral("egressgateway"));
}

void tst_Helm::typoKeyKeepsAllowAnyAndSuggests()
{
    QVERIFY(m_release->install(workshopInstallValues()).has_value());
    const std::int64_t revision = m_store->revision();
    HelmUpgradeOptions upgrade;
    upgrade.values.set.push_back("global.outboundTrafficPolicymode=REGISTRY_ONLY");
    const auto outcome = m_release->upgrade(upgrade);
    QVERIFY(outcome.has_value());
    QCOMPARE(outcome->revision, 2);
    QCOMPARE(outboundMode(*m_store), QStringLiteral("ALLOW_ANY"));
    QCOMPARE(m_store->revision(), revision); // nothing the chart renders changed
    QVERIFY(hasNote(outcome->notes, "helm.unknown-key"));
    const QString notes = notesText(outcome->notes);
    QVERIFY2(notes.contains("chart has no value global.outboundTrafficPolicymode"),
             qPrintable(notes));
    QVERIFY2(notes.contains("Did you mean global.outboundTrafficPolicy.mode?"), qPrintable(notes));
    // The key is kept, as Helm keeps it.
    QVERIFY(lookupValue(m_release->getValues(), "global.outboundTrafficPolicymode"));
}

void tst_Helm::correctKeySwitchesToRegistryOnly_data()
{
    QTest::addColumn<bool>("viaFile");
    QTest::addRow("set-global-outboundTrafficPolicy-mode") << false;
    QTest::addRow("values-file-istio-srecon-egress") << true;
}

void tst_Helm::correctKeySwitchesToRegistryOnly()
{
    QFETCH(bool, viaFile);
    QVERIFY(m_release->install(workshopInstallValues()).has_value());
    HelmUpgradeOptions upgrade;
    upgrade.reuseValues = true;
    if (viaFile) {
        upgrade.values.files.push_back(valuesFile("istio-srecon-egress-values.yaml"));
    } else {
        upgrade.values.set.push_back("global.outboundTrafficPolicy.mode=REGISTRY_ONLY");
    }
    CountingObserver observer;
    m_store->addObserver(&observer);
    const auto outcome = m_release->upgrade(upgrade);
    m_store->removeObserver(&observer);
    QVERIFY(outcome.has_value());
    QVERIFY2(!hasNote(outcome->notes, "helm.unknown-key"), qPrintable(notesText(outcome->notes)));
    QCOMPARE(outboundMode(*m_store), QStringLiteral("REGISTRY_ONLY"));
    QCOMPARE(observer.count, 1);
    const auto configMap =
        configMapFrom(m_store->get(Kind::ConfigMap, "istio-system", "istio")->resource);
    QVERIFY(configMap->data.at("mesh").find("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY") !=
            std::string::npos);
}

void tst_Helm::upgradeValueSemantics_data()
{
    QTest::addColumn<bool>("reuseValues");
    QTest::addColumn<bool>("resetValues");
    QTest::addColumn<bool>("resetNote");
    QTest::addColumn<bool>("egressKept");

    QTest::addRow("reuse-values-keeps-and-no-note") << true << false << false << true;
    QTest::addRow("no-flag-keeps-values-with-note") << false << false << true << true;
    QTest::addRow("reset-values-drops-to-defaults") << false << true << false << false;
}

void tst_Helm::upgradeValueSemantics()
{
    QFETCH(bool, reuseValues);
    QFETCH(bool, resetValues);
    QFETCH(bool, resetNote);
    QFETCH(bool, egressKept);

    QVERIFY(m_release->install(workshopInstallValues()).has_value());
    HelmUpgradeOptions upgrade;
    upgrade.reuseValues = reuseValues;
    upgrade.resetValues = resetValues;
    upgrade.values.set.push_back("global.outboundTrafficPolicymode=REGISTRY_ONLY");
    const auto outcome = m_release->upgrade(upgrade);
    QVERIFY(outcome.has_value());
    QCOMPARE(hasNote(outcome->notes, "helm.values-reset"), resetNote);
    QCOMPARE(m_store->get(Kind::Deployment, "istio-system", "istio-egressgateway") != nullptr,
             egressKept);
    const Node computed = m_release->computedValues();
    QCOMPARE(lookupValue(computed, "grafana.enabled")->scalar,
             std::string(egressKept ? "true" : "false"));
    if (resetNote) {
        const QString notes = notesText(outcome->notes);
        for (const char *key :
             {"gateways.istio-egressgateway.enabled (true -> false)",
              "grafana.enabled (true -> false)", "kiali.enabled (true -> false)",
              "tracing.enabled (true -> false)", "istio_cni.enabled (true -> false)",
              "Tiller would then delete the istio-egressgateway Deployment and Service"}) {
            QVERIFY2(notes.contains(QString::fromLatin1(key)), qPrintable(notes));
        }
        // What this command set itself is not "lost".
        QVERIFY2(!notes.contains("outboundTrafficPolicymode ("), qPrintable(notes));
    }
}

void tst_Helm::valuesFileAddsRedisPortToEgressGateway()
{
    QVERIFY(m_release->install(workshopInstallValues()).has_value());
    QCOMPARE(egressServicePorts(*m_store), (QList<int>{80, 443, 15443}));
    HelmUpgradeOptions upgrade;
    upgrade.reuseValues = true;
    upgrade.values.files.push_back(valuesFile("egressgateway-redis-values.yaml"));
    const auto outcome = m_release->upgrade(upgrade);
    QVERIFY(outcome.has_value());
    QVERIFY2(outcome->notes.empty(), qPrintable(notesText(outcome->notes)));
    QCOMPARE(egressServicePorts(*m_store), (QList<int>{80, 443, 15443, 6379}));
    const auto service =
        serviceFrom(m_store->get(Kind::Service, "istio-system", "istio-egressgateway")->resource);
    QCOMPARE(service->ports.at(3).name, std::string("tcp-redis"));
    const auto deployment = deploymentFrom(
        m_store->get(Kind::Deployment, "istio-system", "istio-egressgateway")->resource);
    QList<int> containerPorts;
    for (const ContainerPort &port : deployment->templ.spec.containers.at(0).ports) {
        containerPorts << port.containerPort;
    }
    QCOMPARE(containerPorts, (QList<int>{80, 443, 15443, 6379, 15090}));
    // The rest of the install is still there.
    QCOMPARE(lookupValue(m_release->computedValues(), "istio_cni.enabled")->scalar,
             std::string("true"));
}

void tst_Helm::disablingEgressGatewayDeletesItsObjects()
{
    QVERIFY(m_release->install(workshopInstallValues()).has_value());
    CountingObserver observer;
    m_store->addObserver(&observer);
    HelmUpgradeOptions upgrade;
    upgrade.reuseValues = true;
    upgrade.values.set.push_back("gateways.istio-egressgateway.enabled=false");
    const auto outcome = m_release->upgrade(upgrade);
    m_store->removeObserver(&observer);
    QVERIFY(outcome.has_value());
    QCOMPARE(observer.count, 1);
    QVERIFY(!m_store->get(Kind::Deployment, "istio-system", "istio-egressgateway"));
    QVERIFY(!m_store->get(Kind::Service, "istio-system", "istio-egressgateway"));
    QVERIFY(m_store->get(Kind::ConfigMap, "istio-system", "istio"));
}

void tst_Helm::liveEditSurvivesAnUnchangedRender()
{
    QVERIFY(m_release->install(workshopInstallValues()).has_value());
    // The Istio 1.3 docs' alternative: get the ConfigMap, sed the mode, kubectl replace.
    std::string yaml =
        toYaml(m_store->get(Kind::ConfigMap, "istio-system", "istio")->resource.document);
    const std::string from = "mode: ALLOW_ANY";
    QVERIFY(yaml.find(from) != std::string::npos);
    yaml.replace(yaml.find(from), from.size(), "mode: REGISTRY_ONLY");
    ApplyOptions inIstioSystem;
    inIstioSystem.nameSpace = "istio-system";
    QVERIFY(m_store->replaceText(yaml, "STDIN", ApplyMode::PerDocument, inIstioSystem).ok());
    QCOMPARE(outboundMode(*m_store), QStringLiteral("REGISTRY_ONLY"));

    // Step 11's upgrade renders the same ConfigMap, so Tiller leaves the live one alone.
    HelmUpgradeOptions ports;
    ports.reuseValues = true;
    ports.values.files.push_back(valuesFile("egressgateway-redis-values.yaml"));
    QVERIFY(m_release->upgrade(ports).has_value());
    QCOMPARE(outboundMode(*m_store), QStringLiteral("REGISTRY_ONLY"));
    QCOMPARE(egressServicePorts(*m_store), (QList<int>{80, 443, 15443, 6379}));

    // A release that renders a different ConfigMap writes it.
    HelmUpgradeOptions accessLog;
    accessLog.reuseValues = true;
    accessLog.values.set.push_back("global.proxy.accessLogFile=/dev/stdout");
    QVERIFY(m_release->upgrade(accessLog).has_value());
    const MeshConfigResult mesh = meshConfigFromStore(*m_store);
    QCOMPARE(mesh.config.accessLogFile, std::string("/dev/stdout"));
    QCOMPARE(outboundMode(*m_store), QStringLiteral("ALLOW_ANY"));
}

void tst_Helm::releaseErrors()
{
    HelmUpgradeOptions upgrade;
    const auto notInstalled = m_release->upgrade(upgrade);
    QVERIFY(!notInstalled.has_value());
    QCOMPARE(QString::fromStdString(notInstalled.error().message),
             QStringLiteral("UPGRADE FAILED: \"istio\" has no deployed releases"));
    QVERIFY(m_release->install(workshopInstallValues()).has_value());
    const auto twice = m_release->install(workshopInstallValues());
    QVERIFY(!twice.has_value());
    QVERIFY(common::startsWith(twice.error().message, "a release named istio already exists."));
    upgrade.values.set.push_back("a[");
    const auto badSet = m_release->upgrade(upgrade);
    QVERIFY(!badSet.has_value());
    QCOMPARE(m_release->revision(), 1);
}

void tst_Helm::meshConfigParsing_data()
{
    QTest::addColumn<QString>("mesh");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("drainMs");
    QTest::addColumn<int>("connectMs");
    QTest::addColumn<QString>("diagnostic");

    QTest::addRow("empty-is-defaults") << ""
                                       << "ALLOW_ANY" << 45'000 << 10'000 << QString();
    QTest::addRow("registry-only") << "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n"
                                   << "REGISTRY_ONLY" << 45'000 << 10'000 << QString();
    QTest::addRow("short-drain-for-tests")
        << "defaultConfig:\n  drainDuration: 250ms\nconnectTimeout: 1s\n"
        << "ALLOW_ANY" << 250 << 1000 << QString();
    QTest::addRow("go-duration-minutes") << "defaultConfig:\n  drainDuration: 1m30s\n"
                                         << "ALLOW_ANY" << 90'000 << 10'000 << QString();
    QTest::addRow("go-duration-fraction") << "defaultConfig:\n  drainDuration: 1.5s\n"
                                          << "ALLOW_ANY" << 1500 << 10'000 << QString();
    QTest::addRow("unknown-mode-keeps-default")
        << "outboundTrafficPolicy:\n  mode: DENY_ALL\n"
        << "ALLOW_ANY" << 45'000 << 10'000
        << "mesh:2:9: error: mesh config outboundTrafficPolicy.mode: unknown value "
           "\"DENY_ALL\"; Pilot keeps the default [mesh.invalid-value]";
    QTest::addRow("bad-duration-keeps-default")
        << "defaultConfig:\n  drainDuration: soon\n"
        << "ALLOW_ANY" << 45'000 << 10'000
        << "mesh:2:18: error: mesh config defaultConfig.drainDuration: invalid duration "
           "\"soon\"; Pilot keeps the default [mesh.invalid-value]";
}

void tst_Helm::meshConfigParsing()
{
    QFETCH(QString, mesh);
    QFETCH(QString, mode);
    QFETCH(int, drainMs);
    QFETCH(int, connectMs);
    QFETCH(QString, diagnostic);
    const MeshConfigResult result = parseMeshConfig(mesh.toStdString());
    QCOMPARE(QString::fromLatin1(outboundModeName(result.config.outboundTrafficPolicy)), mode);
    QCOMPARE(result.config.drainDuration, std::chrono::milliseconds(drainMs));
    QCOMPARE(result.config.connectTimeout, std::chrono::milliseconds(connectMs));
    QCOMPARE(QString::fromStdString(common::formatDiagnostics(result.diagnostics)).trimmed(),
             diagnostic);
}

QTEST_APPLESS_MAIN(tst_Helm)
#include "tst_helm.moc"
